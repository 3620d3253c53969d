/*
 * tw_time.c — parsing the times news feeds carry into UTC seconds.
 *
 * Accepts what DESIGN.md promises: ISO 8601 ("2018-02-18T21:35:43Z",
 * "+04:00" offsets, fractions, date only), "YYYY-MM-DD HH:MM:SS", RFC 2822
 * ("Sun, 18 Feb 2018 21:35:43 +0400", named zones UT/GMT/Z) and epoch
 * seconds. Hand-written because strptime is locale-dependent and has no
 * portable zone offsets; the calendar is Howard Hinnant's days-from-civil.
 */
#include <string.h>
#include <strings.h>
#include "tawam.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

typedef struct cur {
    const char *p, *end;
} cur;

static void skip_space(cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
        c->p++;
}

/* Reads exactly `digits` digits (or 1..digits when digits < 0). */
static int read_num(cur *c, int digits, int *out)
{
    int max = digits < 0 ? -digits : digits, n = 0, v = 0;
    while (n < max && c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        v = v * 10 + (*c->p - '0');
        c->p++;
        n++;
    }
    if (n == 0 || (digits > 0 && n != digits))
        return -1;
    *out = v;
    return 0;
}

static int eat(cur *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* "+0400", "+04:00", "-05", "Z", "UT", "GMT" or nothing (UTC). */
static int read_zone(cur *c, int64_t *offset)
{
    skip_space(c);
    *offset = 0;
    if (c->p >= c->end)
        return 0;
    if (eat(c, 'Z'))
        return 0;
    if (c->end - c->p >= 3 && memcmp(c->p, "GMT", 3) == 0) {
        c->p += 3;
        return 0;
    }
    if (c->end - c->p >= 2 && memcmp(c->p, "UT", 2) == 0) {
        c->p += 2;
        return 0;
    }
    int sign = eat(c, '+') ? 1 : eat(c, '-') ? -1 : 0;
    if (!sign)
        return -1;
    int hh, mm = 0;
    if (read_num(c, 2, &hh))
        return -1;
    eat(c, ':');
    if (c->p < c->end && read_num(c, 2, &mm))
        return -1;
    if (hh > 23 || mm > 59)
        return -1;
    *offset = sign * (hh * 3600 + mm * 60);
    return 0;
}

static int read_clock(cur *c, int *h, int *mi, int *s)
{
    *h = *mi = *s = 0;
    if (read_num(c, -2, h) || !eat(c, ':') || read_num(c, 2, mi))
        return -1;
    if (eat(c, ':')) {
        if (read_num(c, 2, s))
            return -1;
        if (eat(c, '.') || eat(c, ',')) /* fraction: ignored */
            while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
                c->p++;
    }
    return (*h > 23 || *mi > 59 || *s > 60) ? -1 : 0;
}

static int days_in_month(int y, int mo)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return dim[mo - 1] + (mo == 2 && leap);
}

static int finish(cur *c, int y, int mo, int d, int h, int mi, int s, int64_t *out)
{
    int64_t off = 0;
    if (read_zone(c, &off))
        return TW_EINVAL;
    skip_space(c);
    if (c->p != c->end || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return TW_EINVAL;
    *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s - off;
    return TW_OK;
}

int tw_parse_time(const char *str, size_t len, int64_t *out)
{
    if (!str || !out)
        return TW_EINVAL;
    cur c = {str, str + len};
    skip_space(&c);
    while (c.end > c.p && (c.end[-1] == ' ' || c.end[-1] == '\t'))
        c.end--;
    if (c.p == c.end)
        return TW_EINVAL;
    int y, mo, d, h = 0, mi = 0, s = 0;
    const char *start = c.p;
    /* ISO 8601 and "YYYY-MM-DD HH:MM:SS" */
    if (c.end - c.p >= 10 && c.p[4] == '-' && read_num(&c, 4, &y) == 0 && eat(&c, '-') &&
        read_num(&c, 2, &mo) == 0 && eat(&c, '-') && read_num(&c, 2, &d) == 0) {
        if (eat(&c, 'T') || (eat(&c, ' ') && c.p < c.end && *c.p >= '0' && *c.p <= '9')) {
            if (read_clock(&c, &h, &mi, &s))
                return TW_EINVAL;
        }
        return finish(&c, y, mo, d, h, mi, s, out);
    }
    c.p = start;
    /* epoch seconds (an optional fraction is ignored) */
    {
        const char *q = c.p;
        int neg = q < c.end && *q == '-';
        q += neg;
        int64_t v = 0;
        const char *digits = q;
        while (q < c.end && *q >= '0' && *q <= '9' && q - digits < 18)
            v = v * 10 + (*q++ - '0');
        if (q > digits && (q == c.end || *q == '.')) {
            if (q < c.end)
                for (q++; q < c.end && *q >= '0' && *q <= '9'; q++)
                    ;
            if (q == c.end) {
                *out = neg ? -v : v;
                return TW_OK;
            }
        }
    }
    /* RFC 2822: [Day,] DD Mon YYYY HH:MM[:SS] zone */
    if (c.end - c.p >= 4 && c.p[3] == ',') {
        c.p += 4;
        skip_space(&c);
    }
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (read_num(&c, -2, &d))
        return TW_EINVAL;
    skip_space(&c);
    mo = 0;
    for (int i = 0; i < 12 && c.end - c.p >= 3; i++)
        if (strncasecmp(c.p, months[i], 3) == 0)
            mo = i + 1;
    if (!mo)
        return TW_EINVAL;
    c.p += 3;
    skip_space(&c);
    if (read_num(&c, 4, &y))
        return TW_EINVAL;
    skip_space(&c);
    if (c.p < c.end && read_clock(&c, &h, &mi, &s))
        return TW_EINVAL;
    return finish(&c, y, mo, d, h, mi, s, out);
}
