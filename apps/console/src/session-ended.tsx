import type { SessionProblem } from './api.js';

const WORDS: Record<SessionProblem, { title: string; text: string }> = {
  session_expired: {
    title: 'Your session has expired',
    text: 'For your safety, console sessions are short. Open the delivery console again from your payment platform to get a new link.',
  },
  not_signed_in: {
    title: 'You are not signed in',
    text: 'The delivery console opens from a link your payment platform gives you. Open it from there.',
  },
  link_unusable: {
    title: 'This sign-in link has expired or has already been used',
    text: 'Each link works once and only for a short while. Open the delivery console again from your payment platform to get a new one.',
  },
};

/** Where a merchant lands when there is no live session: it says why and what to do. */
export function SessionEnded(props: { reason: SessionProblem }) {
  const words = WORDS[props.reason];
  return (
    <main class="narrow" data-view="session-ended">
      <h1>{words.title}</h1>
      <p>{words.text}</p>
    </main>
  );
}
