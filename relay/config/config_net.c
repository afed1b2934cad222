/*
 * config_net.c: the network-facing parts of the config: URLs, listen addresses, the store path,
 * the API and mesh sections, limits and timeouts, with their defaults.
 */
#include <stdio.h>
#include <string.h>

#include "relay/config/cfg_int.h"
#include "relay/core/json.h"

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})

qiao_err qiao_cfg_url_check(struct cfg_walk *w, const char *key, const char *url,
                            const char *scheme_a, const char *scheme_b)
{
    const char *rest = NULL;
    if (strncmp(url, scheme_a, strlen(scheme_a)) == 0)
        rest = url + strlen(scheme_a);
    else if (strncmp(url, scheme_b, strlen(scheme_b)) == 0)
        rest = url + strlen(scheme_b);
    if (!rest)
        return cfg_fail_at(w, key, QIAO_EINVAL, "bad-url", "\"%.64s\" must start with %s or %s",
                           url, scheme_a, scheme_b);
    if (!*rest || *rest == '/' || *rest == ':')
        return cfg_fail_at(w, key, QIAO_EINVAL, "bad-url", "\"%.64s\" has no host", url);
    for (const char *p = url; *p; p++)
        if (*p == ' ' || (unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
            return cfg_fail_at(w, key, QIAO_EINVAL, "bad-url", "\"%.64s\" contains a space or a "
                               "non-ASCII character", url);
    return QIAO_OK;
}

qiao_err qiao_cfg_urls(struct cfg_walk *w, const cJSON *arr, const char *key,
                       char out[][QIAO_CFG_URL_MAX], unsigned *n, const char *scheme_a,
                       const char *scheme_b)
{
    size_t old = cfg_push_key(w, key);
    qiao_err err = QIAO_OK;
    *n = 0;
    for (const cJSON *v = arr->child; v && !err; v = v->next, (*n)++) {
        char idx[16];
        snprintf(idx, sizeof(idx), "[%u]", *n);
        if (!cJSON_IsString(v))
            err = cfg_fail_at(w, idx, QIAO_EINVAL, "wrong-type", "must be a URL string");
        else if (strlen(v->valuestring) >= QIAO_CFG_URL_MAX)
            err = cfg_fail_at(w, idx, QIAO_ERANGE, "too-long", "URL longer than %d bytes",
                              QIAO_CFG_URL_MAX - 1);
        else
            err = qiao_cfg_url_check(w, idx, v->valuestring, scheme_a, scheme_b);
        if (!err)
            snprintf(out[*n], QIAO_CFG_URL_MAX, "%s", v->valuestring);
    }
    cfg_pop(w, old);
    return err;
}

static int parse_port(const char *s, uint16_t *port)
{
    size_t n = strlen(s);
    if (n == 0 || n > 5 || s[0] == '0')
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

static int host_ok(const char *h, size_t n, int v6)
{
    if (n == 0 || n >= QIAO_CFG_HOST_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = h[i];
        int ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 ch == '.' || ch == '-' || (v6 && ch == ':');
        if (!ok)
            return 0;
    }
    return 1;
}

qiao_err qiao_cfg_listen(struct cfg_walk *w, const char *key, const char *text,
                         struct qiao_cfg_listen *out)
{
    const char *colon = strrchr(text, ':');
    int v6 = text[0] == '[';
    const char *host = text + v6;
    size_t hn = colon ? (size_t)(colon - host) - (size_t)v6 : 0;
    int ok = colon && (!v6 || (colon > text && colon[-1] == ']')) && host_ok(host, hn, v6) &&
             parse_port(colon + 1, &out->port) == 0;
    if (!ok)
        return cfg_fail_at(w, key, QIAO_EINVAL, "bad-listen", "\"%.64s\" is not host:port (port "
                           "1..65535, e.g. 127.0.0.1:8700)", text);
    memcpy(out->host, host, hn);
    out->host[hn] = 0;
    return QIAO_OK;
}

int qiao_cfg_is_loopback(const char *host)
{
    return strncmp(host, "127.", 4) == 0 || strcmp(host, "localhost") == 0 ||
           strcmp(host, "::1") == 0;
}

qiao_err qiao_cfg_parse_store(struct cfg_walk *w, const cJSON *o, struct qiao_config *c)
{
    QIAO_TRY(cfg_keys(w, o, KEYS("path")));
    return cfg_str(w, o, "path", 1, c->store_path, sizeof(c->store_path), NULL);
}

qiao_err qiao_cfg_parse_api(struct cfg_walk *w, const cJSON *o, struct qiao_config *c)
{
    char text[96] = QIAO_CFG_DEFAULT_API;
    c->api_allow_remote = 0;
    if (o) {
        QIAO_TRY(cfg_keys(w, o, KEYS("listen", "allow_remote")));
        QIAO_TRY(cfg_str(w, o, "listen", 0, text, sizeof(text), NULL));
        QIAO_TRY(cfg_bool(w, o, "allow_remote", 0, &c->api_allow_remote));
    }
    QIAO_TRY(qiao_cfg_listen(w, "listen", text, &c->api));
    /* The API can retry messages: exposing it beyond this host must be a deliberate choice. */
    if (!qiao_cfg_is_loopback(c->api.host) && !c->api_allow_remote)
        return cfg_fail_at(w, "listen", QIAO_EINVAL, "bad-listen", "%s is not a loopback address; "
                           "set api.allow_remote to true to expose the API", c->api.host);
    return QIAO_OK;
}

static qiao_err parse_tls(struct cfg_walk *w, const cJSON *o, struct qiao_config *c)
{
    QIAO_TRY(cfg_keys(w, o, KEYS("cert", "key", "ca")));
    QIAO_TRY(cfg_str(w, o, "cert", 1, c->tls_cert, sizeof(c->tls_cert), NULL));
    QIAO_TRY(cfg_str(w, o, "key", 1, c->tls_key, sizeof(c->tls_key), NULL));
    QIAO_TRY(cfg_str(w, o, "ca", 0, c->tls_ca, sizeof(c->tls_ca), NULL));
    c->tls = 1;
    return QIAO_OK;
}

qiao_err qiao_cfg_parse_mesh(struct cfg_walk *w, const cJSON *o, struct qiao_config *c)
{
    QIAO_TRY(cfg_keys(w, o, KEYS("listen", "tls")));
    char text[96];
    QIAO_TRY(cfg_str(w, o, "listen", 1, text, sizeof(text), NULL));
    QIAO_TRY(qiao_cfg_listen(w, "listen", text, &c->mesh));
    const cJSON *tls;
    QIAO_TRY(cfg_object(w, o, "tls", 0, &tls));
    if (!tls)
        return QIAO_OK;
    size_t old = cfg_push_key(w, "tls");
    qiao_err err = parse_tls(w, tls, c);
    cfg_pop(w, old);
    return err;
}

qiao_err qiao_cfg_parse_limits(struct cfg_walk *w, const cJSON *o, struct qiao_config *c)
{
    uint64_t frame = 1u << 20, rate = 1000;
    if (o) {
        QIAO_TRY(cfg_keys(w, o, KEYS("peer_frame_bytes", "peer_msgs_per_sec")));
        QIAO_TRY(cfg_u64(w, o, "peer_frame_bytes", 0, 1024, 16u << 20, &frame, NULL));
        QIAO_TRY(cfg_u64(w, o, "peer_msgs_per_sec", 0, 1, 100000, &rate, NULL));
    }
    c->peer_frame_bytes = (uint32_t)frame;
    c->peer_msgs_per_sec = (uint32_t)rate;
    return QIAO_OK;
}

qiao_err qiao_cfg_parse_timeouts(struct cfg_walk *w, const cJSON *o, struct qiao_config *c)
{
    uint64_t takeover = 30000, rpc = 10000;
    if (o) {
        QIAO_TRY(cfg_keys(w, o, KEYS("submit_takeover_ms", "rpc_ms")));
        QIAO_TRY(cfg_u64(w, o, "submit_takeover_ms", 0, 1000, 3600000, &takeover, NULL));
        QIAO_TRY(cfg_u64(w, o, "rpc_ms", 0, 100, 600000, &rpc, NULL));
    }
    c->submit_takeover_ms = (uint32_t)takeover;
    c->rpc_timeout_ms = (uint32_t)rpc;
    return QIAO_OK;
}
