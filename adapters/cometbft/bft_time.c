/* bft_time.c: RFC 3339 times and durations for the light client (see bft_time.h). */
#include "adapters/cometbft/bft_time.h"

#include <stdio.h>
#include <string.h>

#define NS_PER_SEC 1000000000

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
 * days_from_civil), exact for every year we accept. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned dd)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + dd - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *dd)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *dd = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

/* Read exactly n decimal digits at s; -1 when any is not a digit. */
static int64_t digits(const char *s, size_t n)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

struct fields {
    int64_t year, mon, day, hour, min, sec, nsec, offset_sec;
};

/* The fraction and zone after "YYYY-MM-DDTHH:MM:SS"; returns 0 on success. */
static int parse_tail(struct fields *f, const char *s)
{
    if (*s == '.') {
        size_t n = 1;
        while (s[n] >= '0' && s[n] <= '9')
            n++;
        if (n == 1 || n > 10)
            return -1;
        f->nsec = digits(s + 1, n - 1);
        for (size_t i = n - 1; i < 9; i++)
            f->nsec *= 10;
        s += n;
    }
    if (s[0] == 'Z' && s[1] == '\0')
        return 0;
    if ((s[0] != '+' && s[0] != '-') || strlen(s) != 6 || s[3] != ':')
        return -1;
    int64_t hh = digits(s + 1, 2), mm = digits(s + 4, 2);
    if (hh < 0 || mm < 0 || hh > 23 || mm > 59)
        return -1;
    f->offset_sec = (hh * 3600 + mm * 60) * (s[0] == '-' ? -1 : 1);
    return 0;
}

static int parse_fields(struct fields *f, const char *s)
{
    memset(f, 0, sizeof(*f));
    if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':')
        return -1;
    f->year = digits(s, 4), f->mon = digits(s + 5, 2), f->day = digits(s + 8, 2);
    f->hour = digits(s + 11, 2), f->min = digits(s + 14, 2), f->sec = digits(s + 17, 2);
    if (f->year < 1 || f->mon < 1 || f->mon > 12 || f->day < 1 ||
        f->day > days_in_month(f->year, (unsigned)f->mon) || f->hour < 0 || f->hour > 23 ||
        f->min < 0 || f->min > 59 || f->sec < 0 || f->sec > 59)
        return -1;
    return parse_tail(f, s + 19);
}

qiao_err qiao_bft_time_parse(struct qiao_bft_time *out, const char *s, const char *what,
                             struct qiao_diag *d)
{
    struct fields f;
    if (!s || parse_fields(&f, s) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-time",
                         "%s: \"%.48s\" is not an RFC 3339 time (YYYY-MM-DDTHH:MM:SS[.nnnnnnnnn]Z)",
                         what, s ? s : "(null)");
    int64_t days = days_from_civil(f.year, (unsigned)f.mon, (unsigned)f.day);
    out->sec = days * 86400 + f.hour * 3600 + f.min * 60 + f.sec - f.offset_sec;
    out->nsec = (int32_t)f.nsec;
    return QIAO_OK;
}

void qiao_bft_time_format(char *buf, size_t cap, struct qiao_bft_time t)
{
    int64_t days = t.sec >= 0 ? t.sec / 86400 : -((-t.sec + 86399) / 86400);
    int64_t rem = t.sec - days * 86400, y;
    unsigned m, dd;
    civil_from_days(days, &y, &m, &dd);
    int n = snprintf(buf, cap, "%04lld-%02u-%02uT%02d:%02d:%02d", (long long)y, m, dd,
                     (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    if (n < 0 || (size_t)n >= cap)
        return;
    if (t.nsec) {
        char frac[16];
        snprintf(frac, sizeof(frac), ".%09d", (int)t.nsec);
        size_t fl = strlen(frac);
        while (fl > 1 && frac[fl - 1] == '0')
            frac[--fl] = '\0';
        snprintf(buf + n, cap - (size_t)n, "%sZ", frac);
    } else {
        snprintf(buf + n, cap - (size_t)n, "Z");
    }
}

int qiao_bft_time_cmp(struct qiao_bft_time a, struct qiao_bft_time b)
{
    if (a.sec != b.sec)
        return a.sec < b.sec ? -1 : 1;
    if (a.nsec != b.nsec)
        return a.nsec < b.nsec ? -1 : 1;
    return 0;
}

struct qiao_bft_time qiao_bft_time_add(struct qiao_bft_time t, int64_t ns)
{
    int64_t s = ns / NS_PER_SEC, r = ns % NS_PER_SEC;
    int64_t nsec = t.nsec + r;
    if (nsec >= NS_PER_SEC)
        nsec -= NS_PER_SEC, s++;
    else if (nsec < 0)
        nsec += NS_PER_SEC, s--;
    t.sec += s;
    t.nsec = (int32_t)nsec;
    return t;
}

qiao_err qiao_bft_duration_parse(int64_t *ns, const char *s, const char *what,
                                 struct qiao_diag *d)
{
    size_t i = 0;
    int64_t whole = 0, frac = 0;
    while (s[i] >= '0' && s[i] <= '9' && i < 14)
        whole = whole * 10 + (s[i++] - '0');
    size_t int_digits = i;
    if (s[i] == '.') {
        size_t f0 = ++i;
        while (s[i] >= '0' && s[i] <= '9' && i - f0 < 9)
            frac = frac * 10 + (s[i++] - '0');
        if (i == f0)
            int_digits = 0;
        for (size_t k = i - f0; k < 9; k++)
            frac *= 10;
    }
    if (!int_digits || s[i] != '\0' || (int_digits > 1 && s[0] == '0'))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-duration",
                         "%s: \"%.32s\" is not a number of seconds (digits, optional .fraction of "
                         "up to 9 digits)", what, s);
    if (whole > QIAO_BFT_MAX_DURATION_NS / NS_PER_SEC - 1)
        return QIAO_FAIL(d, QIAO_ERANGE, "bad-duration", "%s: %s seconds is above the 200-year cap",
                         what, s);
    *ns = whole * NS_PER_SEC + frac;
    return QIAO_OK;
}
