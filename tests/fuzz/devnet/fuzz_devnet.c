/*
 * fuzz_devnet.c: libFuzzer target for tests/support/devnet_load.c, the strict readers of
 * devnet.json and of the send / wait-delivered / submit reports.  The first input byte picks the
 * reader (0: devnet.json, 1: send, 2: delivery, 3: submit), the rest is the text.
 * Properties: no crash or sanitizer report; an accepted devnet.json has every count within its
 * array and every string terminated inside its buffer; a refusal carries a reason and a message.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/support/devnet.h"
#include "tests/support/devnet_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t cap)
{
    if (memchr(s, 0, cap) == NULL)
        abort();
}

static void check_devnet(const struct qiao_devnet *n)
{
    if (n->n_chains > QIAO_DEVNET_MAX_CHAINS || n->n_notaries > QIAO_DEVNET_MAX_NOTARIES ||
        n->n_procs > QIAO_DEVNET_MAX_PROCS)
        abort();
    check_str(n->dir, sizeof(n->dir));
    check_str(n->passphrase_env, sizeof(n->passphrase_env));
    for (unsigned i = 0; i < n->n_chains; i++)
        check_str(n->chains[i].http, sizeof(n->chains[i].http));
    for (unsigned i = 0; i < n->n_notaries; i++) {
        check_str(n->notaries[i].config, sizeof(n->notaries[i].config));
        if (n->notaries[i].api_port <= 0 || n->notaries[i].api_port > 65535)
            abort();
    }
    for (unsigned i = 0; i < n->n_procs; i++)
        check_str(n->procs[i].start_time, sizeof(n->procs[i].start_time));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct qiao_devnet net;
    union {
        struct qiao_devnet_sent s;
        struct qiao_devnet_delivery dl;
        struct qiao_devnet_submit sub;
    } r;
    struct qiao_diag d = {0};
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    qiao_err err;
    switch (data[0] & 3) {
    case 0:
        err = qiao_devnet_parse(&net, text, len, &d);
        if (!err)
            check_devnet(&net);
        break;
    case 1:
        err = qiao_devnet_parse_report(QIAO_DEVNET_REPORT_SENT, &r.s, text, len, &d);
        break;
    case 2:
        err = qiao_devnet_parse_report(QIAO_DEVNET_REPORT_DELIVERY, &r.dl, text, len, &d);
        if (!err && r.dl.n_signers > QIAO_DEVNET_MAX_NOTARIES)
            abort();
        break;
    default:
        err = qiao_devnet_parse_report(QIAO_DEVNET_REPORT_SUBMIT, &r.sub, text, len, &d);
        if (!err && !r.sub.ok)
            check_str(r.sub.error, sizeof(r.sub.error));
        break;
    }
    if (err && (!d.reason[0] || !d.msg[0]))
        abort();
    return 0;
}
