import express from 'express';

/**
 * JSON bodies with a per-route limit. Bodies are parsed whatever the content type says, so a
 * client that forgets the header still gets its fields read (or a clear 400).
 */
export function jsonBody(limit: string) {
  return express.json({ limit, type: () => true, strict: true });
}
