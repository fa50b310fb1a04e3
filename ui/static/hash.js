// BlockHub console: the hash functions a receipt may name (docs/FORMAT.md,
// "crypt"), so the page checks every asset itself before showing it.
// SHA-256 uses the browser's Web Crypto where the page is a secure context
// (https, or a loopback http origin); elsewhere, and for MD5, the small
// implementations below do it.
"use strict";

const bhHash = (() => {
  const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");

  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);

  // pad returns the message with the Merkle-Damgard padding; the length
  // goes in big-endian (SHA-256) or little-endian (MD5) bits.
  function pad(u8, bigEndian) {
    const n = u8.length, total = (((n + 8) >> 6) + 1) << 6;
    const out = new Uint8Array(total);
    out.set(u8);
    out[n] = 0x80;
    const dv = new DataView(out.buffer), bits = n * 8;
    const hi = Math.floor(bits / 0x100000000), lo = bits >>> 0;
    if (bigEndian) { dv.setUint32(total - 8, hi); dv.setUint32(total - 4, lo); }
    else { dv.setUint32(total - 8, lo, true); dv.setUint32(total - 4, hi, true); }
    return dv;
  }

  function sha256(u8) {
    const dv = pad(u8, true), w = new Uint32Array(64);
    const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let off = 0; off < dv.byteLength; off += 64) {
      for (let i = 0; i < 16; i++) w[i] = dv.getUint32(off + 4 * i);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 64; i++) {
        const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
    const out = new Uint8Array(32), odv = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) odv.setUint32(4 * i, h[i]);
    return hex(out);
  }

  const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const T = new Uint32Array(64).map((_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000));

  function md5(u8) {
    const dv = pad(u8, false), m = new Uint32Array(16);
    let a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
    for (let off = 0; off < dv.byteLength; off += 64) {
      for (let i = 0; i < 16; i++) m[i] = dv.getUint32(off + 4 * i, true);
      let a = a0, b = b0, c = c0, d = d0;
      for (let i = 0; i < 64; i++) {
        let f, g;
        if (i < 16) { f = (b & c) | (~b & d); g = i; }
        else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
        else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
        else { f = c ^ (b | ~d); g = (7 * i) & 15; }
        const s = S[(i >> 4) * 4 + (i & 3)];
        const x = (a + f + T[i] + m[g]) | 0;
        a = d; d = c; c = b;
        b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
      }
      a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0;
    }
    const out = new Uint8Array(16), odv = new DataView(out.buffer);
    [a0, b0, c0, d0].forEach((v, i) => odv.setUint32(4 * i, v, true));
    return hex(out);
  }

  // digest returns the hex digest of bytes (an ArrayBuffer) under crypt
  // ("sha256", the default, or "md5"); it throws on another crypt.
  async function digest(crypt, bytes) {
    const u8 = new Uint8Array(bytes);
    switch (crypt || "sha256") {
      case "sha256":
        if (window.isSecureContext && window.crypto && crypto.subtle) return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", u8)));
        return sha256(u8);
      case "md5":
        return md5(u8);
    }
    throw new Error(`unknown hash function ${crypt}`);
  }

  return { digest, sha256, md5 };
})();
