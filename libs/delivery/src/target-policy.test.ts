import { describe, expect, it } from '@jest/globals';
import { checkWebhookUrl, isPublicAddress } from './target-policy.js';

// Classification only: nothing here opens a connection.
describe('isPublicAddress', () => {
  it.each([
    ['127.0.0.1', 'IPv4 loopback'],
    ['127.255.255.254', 'IPv4 loopback range'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network'],
    ['10.0.0.1', 'RFC 1918 10/8'],
    ['172.16.0.1', 'RFC 1918 172.16/12'],
    ['172.31.255.255', 'RFC 1918 172.16/12 end'],
    ['192.168.1.1', 'RFC 1918 192.168/16'],
    ['169.254.169.254', 'cloud metadata (link-local)'],
    ['169.254.0.1', 'link-local'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.254', 'CGNAT end'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'TEST-NET-1'],
    ['198.18.0.1', 'benchmarking'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fe80::1', 'IPv6 link-local'],
    ['fc00::1', 'IPv6 unique local'],
    ['fd12:3456::1', 'IPv6 unique local fd'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::ffff:8.8.8.8', 'IPv4-mapped public (still refused: embeds IPv4)'],
    ['::127.0.0.1', 'IPv4-compatible ::/96'],
    ['::7f00:1', 'IPv4-compatible ::/96, hex form'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of metadata'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['ff02::1', 'IPv6 multicast'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['not-an-ip', 'not an address'],
  ])('when the address is %s (%s), then it is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([['8.8.8.8'], ['1.1.1.1'], ['93.184.216.34'], ['2606:4700:4700::1111'], ['2a00:1450:4001:80b::200e']])(
    'when the address is %s, then it is public',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );
});

describe('checkWebhookUrl', () => {
  const strict = { allowPrivateTargets: false };

  it.each([
    'http://127.0.0.1/hook',
    'http://127.1/hook',
    'http://2130706433/hook',
    'http://0x7f000001/hook',
    'http://0x7f.0.0.1/hook',
    'http://0177.0.0.1/hook',
    'http://017700000001/hook',
    'http://[::1]/hook',
    'http://[::]/hook',
    'http://0.0.0.0/hook',
    'http://0/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[0:0:0:0:0:ffff:7f00:1]/hook',
    'http://[::127.0.0.1]/hook',
    'http://[64:ff9b::7f00:1]/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://10.1.2.3/hook',
    'http://100.64.0.1/hook',
    'http://localhost/hook',
    'http://api.localhost/hook',
    'http://LOCALHOST:8080/hook',
  ])('when the URL names %s, then it is refused as a private address', (url) => {
    expect(checkWebhookUrl(url, strict)).toBe('private_address');
  });

  it('when the URL carries credentials, another scheme or is malformed, then it says which', () => {
    expect(checkWebhookUrl('http://user:pw@shop.example/hook', strict)).toBe('credentials');
    expect(checkWebhookUrl('ftp://shop.example/hook', strict)).toBe('scheme');
    expect(checkWebhookUrl('file:///etc/passwd', strict)).toBe('scheme');
    expect(checkWebhookUrl('http://', strict)).toBe('malformed');
    // An IPv6 zone id is no URL at all to the WHATWG parser (and so to got).
    expect(checkWebhookUrl('http://[fe80::1%25eth0]/hook', strict)).toBe('malformed');
  });

  it('when the URL names a public host or address, then it passes (names are checked again at connect time)', () => {
    expect(checkWebhookUrl('https://shop.example/hook', strict)).toBeUndefined();
    expect(checkWebhookUrl('http://8.8.8.8/hook', strict)).toBeUndefined();
    expect(checkWebhookUrl('https://[2606:4700:4700::1111]/hook', strict)).toBeUndefined();
  });

  it('when private targets are allowed, then loopback passes but credentials still do not', () => {
    const open = { allowPrivateTargets: true };
    expect(checkWebhookUrl('http://127.0.0.1:4000/hook', open)).toBeUndefined();
    expect(checkWebhookUrl('http://u:p@127.0.0.1/hook', open)).toBe('credentials');
  });
});
