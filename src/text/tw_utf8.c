/*
 * tw_utf8.c — strict UTF-8 decoding with repair.
 *
 * Follows Unicode's Table 3-7 (no overlongs, no surrogates, nothing above
 * U+10FFFF) and replaces each maximal invalid subpart with one U+FFFD, the
 * W3C/Unicode "best practice", so a truncated sequence costs one
 * replacement and never swallows the valid byte after it.
 */
#include "text/tw_text.h"

size_t tw__utf8_decode(const uint8_t *s, size_t n, uint32_t *out, size_t *bad_seqs,
                       size_t *bad_bytes)
{
    size_t i = 0, o = 0, seqs = 0, bytes = 0;
    while (i < n) {
        uint8_t b = s[i];
        if (b < 0x80) {
            out[o++] = b;
            i++;
            continue;
        }
        uint32_t cp;
        size_t need;
        uint8_t lo = 0x80, hi = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
            cp = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2;
            cp = b & 0x0F;
            if (b == 0xE0)
                lo = 0xA0;
            else if (b == 0xED)
                hi = 0x9F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3;
            cp = b & 0x07;
            if (b == 0xF0)
                lo = 0x90;
            else if (b == 0xF4)
                hi = 0x8F;
        } else {
            out[o++] = 0xFFFD;
            i++;
            seqs++;
            bytes++;
            continue;
        }
        size_t j = 1;
        for (; j <= need && i + j < n; j++) {
            uint8_t c = s[i + j];
            if (j == 1 ? (c < lo || c > hi) : ((c & 0xC0) != 0x80))
                break;
            cp = (cp << 6) | (c & 0x3F);
        }
        if (j <= need) {
            out[o++] = 0xFFFD;
            seqs++;
            bytes += j;
            i += j;
            continue;
        }
        out[o++] = cp;
        i += need + 1;
    }
    if (bad_seqs)
        *bad_seqs = seqs;
    if (bad_bytes)
        *bad_bytes = bytes;
    return o;
}
