/*
 * ev_report.c: verification reports as text (for a judge), JSON (for machines) and HTML (for
 * printing).  All three show the same facts: the verdict, the failure (component, check, reason,
 * message), what was proven (record hash, source chain and height and time, confirmations,
 * committee epoch and signers, delivery height and time, timestamp) and every check in order.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "relay/core/hex.h"
#include "relay/evidence/ev_canon.h"
#include "relay/evidence/evidence.h"

static const char *verdict_name(enum qiao_ev_verdict v)
{
    return v == QIAO_EV_VERIFIED ? "VERIFIED" : v == QIAO_EV_REJECTED ? "REJECTED" : "UNUSABLE";
}

static void utc(char out[32], uint64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(out, 32, "%llu", (unsigned long long)t);
}

void qiao_ev_report_unusable(struct qiao_ev_report *r, const char *component,
                             const struct qiao_diag *d)
{
    memset(r, 0, sizeof(*r));
    r->verdict = QIAO_EV_UNUSABLE;
    r->fail_component = component;
    r->fail_check = "parse";
    if (d)
        r->fail = *d;
}

static qiao_err text_facts(struct qiao_buf *o, const struct qiao_ev_report *r,
                           struct qiao_diag *d)
{
    char h1[67], h2[67], t1[32], t2[32], t3[32];
    qiao_hex_encode0x(h1, r->record_sha256, 32);
    QIAO_TRY(qiao_buf_printf(o, d, "Record\n  SHA-256            %s\n", h1));
    qiao_hex_encode0x(h1, r->message_id, 32);
    QIAO_TRY(qiao_buf_printf(o, d, "  Qiao message id    %s\n", h1));
    utc(t1, r->src_time), utc(t2, r->observed_time);
    qiao_hex_encode0x(h2, r->src_block_hash, 32);
    QIAO_TRY(qiao_buf_printf(o, d, "Source (%s chain %llu \"%s\")\n  included at height %llu, block "
                     "%s\n  block time         %s\n  relay observed     %s (the relay's "
                     "statement, not proven)\n  finality           %llu confirmations%s\n",
                     r->family ? r->family : "?", (unsigned long long)r->src_chain_id,
                     r->src_name, (unsigned long long)r->src_height, h2, t1, t2,
                     (unsigned long long)r->src_confirmations,
                     r->family && !strcmp(r->family, "cometbft") ? " (BFT commit: final)" : ""));
    QIAO_TRY(qiao_buf_printf(o, d, "Notary committee\n  epoch %llu (trusted genesis epoch %llu, %zu signed "
                     "update(s)), threshold k=%u\n  signed by %zu members:\n",
                     (unsigned long long)r->epoch, (unsigned long long)r->genesis_epoch,
                     r->updates, r->k, r->nsigners));
    for (size_t i = 0; i < r->nsigners; i++) {
        qiao_hex_encode0x(h1, r->signers[i], 20);
        QIAO_TRY(qiao_buf_printf(o, d, "    %s\n", h1));
    }
    utc(t3, r->dst_time);
    qiao_hex_encode0x(h2, r->dst_block_hash, 32);
    QIAO_TRY(qiao_buf_printf(o, d, "Delivery (evm chain %llu \"%s\")\n  delivered at height %llu, block "
                     "%s\n  block time         %s\n  finality           %llu confirmations\n",
                     (unsigned long long)r->dst_chain_id, r->dst_name,
                     (unsigned long long)r->dst_height, h2, t3,
                     (unsigned long long)r->dst_confirmations));
    if (r->has_timestamp) {
        utc(t1, r->tsa_time);
        QIAO_TRY(qiao_buf_printf(o, d, "Timestamp (RFC 3161)\n  %s by %s\n", t1, r->tsa_name));
    }
    qiao_hex_encode0x(h1, r->core_sha256, 32);
    return qiao_buf_printf(o, d, "Bundle core SHA-256  %s\n", h1);
}

/* Append p[0..n) with every byte a terminal would act on written as \xNN: C0 controls except the
 * newline, DEL, and the two-byte UTF-8 form of the C1 controls (U+0080..U+009F, which include
 * CSI).  The report quotes hostile text (member names, record.subject, chain ids) in its failure
 * messages and details, and a judge reads it in a terminal: an escape sequence there could clear
 * the screen and draw a different verdict. */
static qiao_err put_inert(struct qiao_buf *o, const uint8_t *p, size_t n, struct qiao_diag *d)
{
    for (size_t i = 0; i < n; i++) {
        int c1 = p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f;
        if (c1) {
            QIAO_TRY(qiao_buf_printf(o, d, "\\x%02x\\x%02x", p[i], p[i + 1]));
            i++;
        } else if ((p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7f) {
            QIAO_TRY(qiao_buf_printf(o, d, "\\x%02x", p[i]));
        } else {
            QIAO_TRY(qiao_buf_push(o, p[i], d));
        }
    }
    return QIAO_OK;
}

static qiao_err report_text(struct qiao_buf *o, const struct qiao_ev_report *r,
                            struct qiao_diag *d)
{
    QIAO_TRY(qiao_buf_printf(o, d, "Qiao evidence verification report (qiao-evidence/1)\nVerdict: %s\n",
                     verdict_name(r->verdict)));
    if (r->fail_component)
        QIAO_TRY(qiao_buf_printf(o, d, "Failed: component \"%s\", check \"%s\", reason \"%s\"\n  %s\n",
                         r->fail_component, r->fail_check, r->fail.reason, r->fail.msg));
    if (r->verdict == QIAO_EV_UNUSABLE)
        return QIAO_OK;
    if (r->verdict == QIAO_EV_VERIFIED)
        QIAO_TRY(text_facts(o, r, d));
    QIAO_TRY(qiao_buf_printf(o, d, "Checks\n"));
    for (size_t i = 0; i < r->nchecks; i++)
        QIAO_TRY(qiao_buf_printf(o, d, "  [%s] %-11s %-17s %s\n", r->checks[i].ok ? "pass" : "FAIL",
                         r->checks[i].component, r->checks[i].check, r->checks[i].detail));
    return QIAO_OK;
}

qiao_err qiao_ev_report_text(struct qiao_buf *o, const struct qiao_ev_report *r,
                             struct qiao_diag *d)
{
    struct qiao_buf raw = {0};
    qiao_err err = report_text(&raw, r, d);
    if (!err)
        err = put_inert(o, raw.p, raw.len, d);
    qiao_buf_clear(&raw);
    return err;
}

static void add(int *ok, cJSON *o, const char *k, cJSON *v)
{
    if (!v || !cJSON_AddItemToObject(o, k, v)) {
        cJSON_Delete(v);
        *ok = 0;
    }
}

static cJSON *json_tree(const struct qiao_ev_report *r, int *ok)
{
    cJSON *o = cJSON_CreateObject(), *checks = cJSON_CreateArray(), *signers = cJSON_CreateArray();
    add(ok, o, "verdict", cJSON_CreateString(verdict_name(r->verdict)));
    if (r->fail_component) {
        cJSON *f = cJSON_CreateObject();
        add(ok, f, "component", cJSON_CreateString(r->fail_component));
        add(ok, f, "check", cJSON_CreateString(r->fail_check));
        add(ok, f, "reason", cJSON_CreateString(r->fail.reason));
        add(ok, f, "message", cJSON_CreateString(r->fail.msg));
        add(ok, o, "failure", f);
    }
    for (size_t i = 0; i < r->nchecks; i++) {
        cJSON *c = cJSON_CreateObject();
        add(ok, c, "component", cJSON_CreateString(r->checks[i].component));
        add(ok, c, "check", cJSON_CreateString(r->checks[i].check));
        add(ok, c, "ok", cJSON_CreateBool(r->checks[i].ok));
        add(ok, c, "detail", cJSON_CreateString(r->checks[i].detail));
        if (!cJSON_AddItemToArray(checks, c))
            *ok = 0;
    }
    add(ok, o, "checks", checks);
    if (r->verdict == QIAO_EV_UNUSABLE) {
        cJSON_Delete(signers);
        return o;
    }
    for (size_t i = 0; i < r->nsigners; i++)
        if (!cJSON_AddItemToArray(signers, qiao_ev_json_hex(r->signers[i], 20)))
            *ok = 0;
    cJSON *src = cJSON_CreateObject(), *dst = cJSON_CreateObject(), *cm = cJSON_CreateObject();
    add(ok, src, "family", cJSON_CreateString(r->family ? r->family : ""));
    add(ok, src, "chainId", qiao_ev_json_u64(r->src_chain_id));
    add(ok, src, "name", cJSON_CreateString(r->src_name));
    add(ok, src, "height", qiao_ev_json_u64(r->src_height));
    add(ok, src, "blockHash", qiao_ev_json_hex(r->src_block_hash, 32));
    add(ok, src, "time", qiao_ev_json_u64(r->src_time));
    add(ok, src, "confirmations", qiao_ev_json_u64(r->src_confirmations));
    add(ok, dst, "chainId", qiao_ev_json_u64(r->dst_chain_id));
    add(ok, dst, "name", cJSON_CreateString(r->dst_name));
    add(ok, dst, "height", qiao_ev_json_u64(r->dst_height));
    add(ok, dst, "blockHash", qiao_ev_json_hex(r->dst_block_hash, 32));
    add(ok, dst, "time", qiao_ev_json_u64(r->dst_time));
    add(ok, dst, "confirmations", qiao_ev_json_u64(r->dst_confirmations));
    add(ok, cm, "epoch", qiao_ev_json_u64(r->epoch));
    add(ok, cm, "genesisEpoch", qiao_ev_json_u64(r->genesis_epoch));
    add(ok, cm, "updates", qiao_ev_json_u64(r->updates));
    add(ok, cm, "k", qiao_ev_json_u64(r->k));
    add(ok, cm, "signers", signers);
    add(ok, o, "source", src);
    add(ok, o, "delivery", dst);
    add(ok, o, "committee", cm);
    add(ok, o, "recordSha256", qiao_ev_json_hex(r->record_sha256, 32));
    add(ok, o, "messageId", qiao_ev_json_hex(r->message_id, 32));
    add(ok, o, "coreSha256", qiao_ev_json_hex(r->core_sha256, 32));
    add(ok, o, "observedTime", qiao_ev_json_u64(r->observed_time));
    if (r->has_timestamp) {
        cJSON *ts = cJSON_CreateObject();
        add(ok, ts, "time", qiao_ev_json_u64(r->tsa_time));
        add(ok, ts, "tsa", cJSON_CreateString(r->tsa_name));
        add(ok, o, "timestamp", ts);
    }
    return o;
}

qiao_err qiao_ev_report_json(struct qiao_buf *out, const struct qiao_ev_report *r,
                             struct qiao_diag *d)
{
    int ok = 1;
    cJSON *o = json_tree(r, &ok);
    qiao_err err = ok ? qiao_ev_canon(out, o, d)
                      : QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "building the JSON report");
    cJSON_Delete(o);
    return err ? err : qiao_buf_push(out, '\n', d);
}

/* HTML: the text report, escaped, in a printable page with the verdict as its heading. */
qiao_err qiao_ev_report_html(struct qiao_buf *out, const struct qiao_ev_report *r,
                             struct qiao_diag *d)
{
    struct qiao_buf text = {0};
    qiao_err err = qiao_ev_report_text(&text, r, d);
    if (!err)
        err = qiao_buf_printf(out, d, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Qiao "
                      "evidence report</title><style>body{font-family:serif;margin:2em}"
                      "pre{font-size:10pt;white-space:pre-wrap}</style></head><body>\n<h1>Qiao "
                      "evidence: %s</h1>\n<pre>", verdict_name(r->verdict));
    for (size_t i = 0; !err && i < text.len; i++) {
        char c = (char)text.p[i];
        err = c == '<'   ? qiao_buf_printf(out, d, "&lt;")
              : c == '>' ? qiao_buf_printf(out, d, "&gt;")
              : c == '&' ? qiao_buf_printf(out, d, "&amp;")
              : c == '"' ? qiao_buf_printf(out, d, "&quot;")
                         : qiao_buf_push(out, (uint8_t)c, d);
    }
    if (!err)
        err = qiao_buf_printf(out, d, "</pre>\n</body></html>\n");
    qiao_buf_clear(&text);
    return err;
}
