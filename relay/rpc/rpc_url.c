/* rpc_url.c: endpoint URL parsing (see rpc_url.h). */
#include "relay/rpc/rpc_url.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *prefix;
    enum qiao_rpc_scheme scheme;
    int port;
} qiao_rpc_schemes[] = {
    {.prefix = "http://", .scheme = QIAO_RPC_HTTP, .port = 80},
    {.prefix = "https://", .scheme = QIAO_RPC_HTTPS, .port = 443},
    {.prefix = "ws://", .scheme = QIAO_RPC_WS, .port = 80},
    {.prefix = "wss://", .scheme = QIAO_RPC_WSS, .port = 443},
};

static int host_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_';
}

static qiao_err bad_url(const char *why, struct qiao_diag *d)
{
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-url", "endpoint URL: %s", why);
}

/* Scheme prefix; returns the rest of the URL after "://". */
static qiao_err parse_scheme(struct qiao_rpc_url *out, const char *url, const char **rest,
                             struct qiao_diag *d)
{
    for (size_t i = 0; i < sizeof(qiao_rpc_schemes) / sizeof(qiao_rpc_schemes[0]); i++) {
        size_t n = strlen(qiao_rpc_schemes[i].prefix);
        if (strncmp(url, qiao_rpc_schemes[i].prefix, n) == 0) {
            out->scheme = qiao_rpc_schemes[i].scheme;
            out->port = qiao_rpc_schemes[i].port;
            *rest = url + n;
            return QIAO_OK;
        }
    }
    return bad_url("scheme must be http://, https://, ws:// or wss:// (lower case)", d);
}

/* Host: a name or dotted address, or a bracketed IPv6 literal.  Returns the rest. */
static qiao_err parse_host(struct qiao_rpc_url *out, const char *s, const char **rest,
                           struct qiao_diag *d)
{
    size_t n = 0;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close)
            return bad_url("unterminated IPv6 literal", d);
        for (const char *p = s + 1; p < close; p++)
            if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
                  (*p >= 'A' && *p <= 'F') || *p == ':' || *p == '.'))
                return bad_url("bad character in IPv6 literal", d);
        n = (size_t)(close - s - 1);
        s++;
        *rest = close + 1;
    } else {
        while (host_char_ok(s[n]))
            n++;
        *rest = s + n;
    }
    if (n == 0)
        return bad_url("empty host", d);
    if (n >= sizeof(out->host))
        return QIAO_FAIL(d, QIAO_ERANGE, "url-too-long", "endpoint host longer than %zu bytes",
                         sizeof(out->host) - 1);
    memcpy(out->host, s, n);
    out->host[n] = 0;
    return QIAO_OK;
}

/* Optional ":port": 1..65535, decimal, no leading zero. */
static qiao_err parse_port(struct qiao_rpc_url *out, const char *s, const char **rest,
                           struct qiao_diag *d)
{
    *rest = s;
    if (*s != ':')
        return QIAO_OK;
    s++;
    long port = 0;
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9' && n < 6)
        port = port * 10 + (s[n++] - '0');
    if (n == 0 || n > 5 || (n > 1 && s[0] == '0') || port < 1 || port > 65535)
        return bad_url("port must be a decimal number from 1 to 65535", d);
    out->port = (int)port;
    *rest = s + n;
    return QIAO_OK;
}

static qiao_err parse_path(struct qiao_rpc_url *out, const char *s, struct qiao_diag *d)
{
    if (*s == 0) {
        strcpy(out->path, "/");
        return QIAO_OK;
    }
    if (*s == '@')
        return bad_url("credentials in the URL are refused; use basic_user/basic_pass", d);
    if (*s != '/')
        return bad_url("expected ':port' or '/path' after the host", d);
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return bad_url("space or control character in path", d);
        if (*p == '#')
            return bad_url("fragment in path", d);
    }
    snprintf(out->path, sizeof(out->path), "%s", s);
    return QIAO_OK;
}

qiao_err qiao_rpc_url_parse(struct qiao_rpc_url *out, const char *url, struct qiao_diag *d)
{
    memset(out, 0, sizeof(*out));
    if (!url)
        return bad_url("no URL given", d);
    if (strlen(url) >= QIAO_RPC_URL_MAX)
        return QIAO_FAIL(d, QIAO_ERANGE, "url-too-long", "endpoint URL longer than %d bytes",
                         QIAO_RPC_URL_MAX - 1);
    const char *s;
    QIAO_TRY(parse_scheme(out, url, &s, d));
    if (strchr(s, '@') && (!strchr(s, '/') || strchr(s, '@') < strchr(s, '/')))
        return bad_url("credentials in the URL are refused; use basic_user/basic_pass", d);
    QIAO_TRY(parse_host(out, s, &s, d));
    QIAO_TRY(parse_port(out, s, &s, d));
    return parse_path(out, s, d);
}

int qiao_rpc_url_is_ws(const struct qiao_rpc_url *u)
{
    return u->scheme == QIAO_RPC_WS || u->scheme == QIAO_RPC_WSS;
}

int qiao_rpc_url_is_tls(const struct qiao_rpc_url *u)
{
    return u->scheme == QIAO_RPC_HTTPS || u->scheme == QIAO_RPC_WSS;
}
