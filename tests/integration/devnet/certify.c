/*
 * certify.c: the delivery half of test_devnet, with the committee EMULATED in this process.
 *
 * Why an emulation: `qiao run` (the daemon) is not built on this branch, so no notary process can
 * certify.  Everything else is real: the notary keys are the devnet's encrypted key files opened
 * with relay/keys, the attestations and certificate are made by relay/notary (the code the daemon
 * signs with), the calldata by relay/notary/abi.c, and the deployed Inbox judges it on anvil.
 * This checks that the keys, committee and contracts devnet.js set up fit together, and it drives
 * the delivered branch of `wait-delivered` (signer recovery, EvidenceRegistry record).
 */
#include <string.h>

#include "relay/config/config.h"
#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/keccak.h"
#include "relay/keys/keys.h"
#include "relay/notary/abi.h"
#include "relay/notary/attest.h"
#include "tests/integration/devnet/certify.h"
#include "tests/qt.h"

/* Sign digest with notary i's key file; Out: sig. */
static qiao_err sign_as(struct qiao_crypto *cx, const struct qiao_devnet *net, unsigned i,
                        const uint8_t digest[32], uint8_t sig[65], struct qiao_diag *d)
{
    char pass[QIAO_KEYS_PASSPHRASE_MAX];
    size_t pass_len = 0;
    struct qiao_key key;
    qiao_err err = qiao_keys_passphrase(pass, sizeof(pass), &pass_len, net->passphrase_env,
                                        net->passphrase_file[0] ? net->passphrase_file : NULL, d);
    if (!err)
        err = qiao_keys_load(&key, net->notaries[i].key_file, pass, pass_len, 0, d);
    memset(pass, 0, sizeof(pass));
    if (!err)
        err = qiao_attest_sign(cx, sig, key.seckey, digest, d);
    qiao_key_clear(&key);
    return err;
}

/* A certificate over message id from the first k notaries of the devnet. */
static qiao_err certify(const struct qiao_devnet *net, const struct qiao_config *cfg,
                        const uint8_t id[32], uint8_t *cert, size_t cap, size_t *len,
                        struct qiao_diag *d)
{
    struct qiao_committee c = {.epoch = cfg->committee.epoch, .members = cfg->committee.members,
                               .n = cfg->committee.n, .k = cfg->committee.k};
    memcpy(c.id, cfg->committee.id, 32);
    uint8_t digest[32], sigs[QIAO_DEVNET_MAX_NOTARIES][65];
    qiao_attest_digest(digest, c.id, c.epoch, id);
    struct qiao_crypto *cx = qiao_crypto_create();
    if (!cx)
        return QIAO_FAIL(d, QIAO_ENOMEM, "crypto-init", "cannot create a crypto context");
    qiao_err err = QIAO_OK;
    for (unsigned i = 0; i < c.k && !err; i++)
        err = sign_as(cx, net, i, digest, sigs[i], d);
    if (!err)
        err = qiao_cert_build(cx, &c, digest, (const uint8_t(*)[65])sigs, c.k, c.k, cert, cap, len,
                              d);
    qiao_crypto_destroy(cx);
    return err;
}

/* The message that `send` put on the source chain, rebuilt from its report. */
static void message_of(struct qiao_message *m, const struct qiao_devnet *net,
                       const struct qiao_devnet_sent *s, const char *payload)
{
    memset(m, 0, sizeof(*m));
    m->version = QIAO_MSG_VERSION;
    m->src_chain_id = s->src;
    m->dst_chain_id = s->dst;
    m->seq = s->seq;
    memcpy(m->src_emitter, qiao_devnet_chain(net, s->src)->outbox, 20);
    memcpy(m->sender, s->sender, 20);
    memcpy(m->receiver, s->receiver, 20);
    memcpy(m->payload_hash, s->payload_keccak, 32);
    m->payload = (const uint8_t *)payload;
    m->payload_len = strlen(payload);
}

/* Submit deliver(m, cert[0..cert_len)); Out: *r. */
static qiao_err deliver(struct qiao_devnet *net, const struct qiao_message *m, const uint8_t *cert,
                        size_t cert_len, struct qiao_devnet_submit *r, struct qiao_diag *d)
{
    struct qiao_buf call = {0};
    qiao_err err = qiao_abi_encode_deliver(&call, m, cert, cert_len, d);
    if (!err)
        err = qiao_devnet_submit(net, m->dst_chain_id, call.p, call.len, r, d);
    qiao_buf_clear(&call);
    return err;
}

void devnet_test_certified_delivery(struct qiao_devnet *net, const struct qiao_config *cfg,
                                    const struct qiao_devnet_sent *s, const char *payload)
{
    struct qiao_diag d = {0};
    struct qiao_message m;
    struct qiao_devnet_submit r;
    uint8_t cert[QIAO_DEVNET_MAX_NOTARIES * 65];
    size_t cert_len = 0;
    message_of(&m, net, s, payload);
    qiao_err err = certify(net, cfg, s->id, cert, sizeof(cert), &cert_len, &d);
    QT_CHECKF(err == QIAO_OK && cert_len == 65u * cfg->committee.k, "certificate: %s", d.msg);
    if (err)
        return;
    /* k-1 signatures (a prefix stays ascending): the Inbox refuses it. */
    err = deliver(net, &m, cert, cert_len - 65, &r, &d);
    QT_CHECKF(err == QIAO_OK && !r.ok && strcmp(r.error, "BelowThreshold") == 0,
              "k-1 signatures refused: %s %s", r.error, d.msg);
    err = deliver(net, &m, cert, cert_len, &r, &d);
    QT_CHECKF(err == QIAO_OK && r.ok, "k signatures delivered: %s %s", r.error, d.msg);
    struct qiao_devnet_delivery dl;
    err = qiao_devnet_wait_delivered(net, s->dst, s->id, 10, &dl, &d);
    QT_CHECKF(err == QIAO_OK && dl.delivered, "wait-delivered sees it: %s", d.msg);
    QT_CHECK(dl.block == r.block);
    QT_CHECK_MEM(dl.tx, r.tx, 32);
    QT_CHECKF(dl.n_signers == cfg->committee.k, "%u signers recovered", dl.n_signers);
    for (unsigned i = 0; i + 1 < dl.n_signers; i++)
        QT_CHECK(memcmp(dl.signers[i], dl.signers[i + 1], 20) < 0);
    for (unsigned i = 0; i < dl.n_signers; i++)
        QT_CHECK(qiao_config_member_index(cfg, dl.signers[i]) >= 0);
    QT_CHECK(dl.has_evidence);
    QT_CHECK_MEM(dl.record_sha256, s->payload_sha256, 32);
    /* The same certificate again: the Inbox has consumed the id. */
    err = deliver(net, &m, cert, cert_len, &r, &d);
    QT_CHECKF(err == QIAO_OK && !r.ok && strcmp(r.error, "AlreadyConsumed") == 0,
              "replay refused: %s %s", r.error, d.msg);
}
