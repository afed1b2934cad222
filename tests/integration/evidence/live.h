/*
 * live.h: what the evidence integration test's files share: two real anvil chains (source 7003,
 * destination 7001) with the Qiao contracts deployed from the solc-js artifacts, and helpers to
 * send transactions and collect header segments and receipt proofs from them.
 */
#ifndef QIAO_TEST_EVIDENCE_LIVE_H
#define QIAO_TEST_EVIDENCE_LIVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "adapters/evm/evm_source.h"
#include "relay/evidence/evidence.h"

struct live_chain {
    pid_t pid;
    int port;
    uint64_t chain_id;
    struct qiao_evm_source *src;
    uint8_t checkpoint[32]; /* hash of block 0 */
};

/** What one transaction did. */
struct live_tx {
    uint8_t block_hash[32];
    uint64_t block;
    uint64_t tx_index;
    uint8_t contract[20];       /* deployments */
    uint8_t log_addr[8][20];    /* the receipt's logs, in order */
    uint8_t log_topic0[8][32];
    size_t nlogs;
};

extern struct qiao_crypto *g_cx;

/** Start anvil with chain_id and a source following it from block 0.  0 on success. */
int live_start(struct live_chain *c, uint64_t chain_id);
void live_stop(struct live_chain *c);
/** Destroy the shared libwebsockets context (after every chain is stopped). */
void live_shutdown(void);
/** eth_sendTransaction from anvil's dev account 0 (to NULL: deploy) and read the receipt. */
int live_tx(struct live_chain *c, struct live_tx *out, const uint8_t *to, const uint8_t *data,
            size_t len);
/** Deploy artifact `name` (build dir artifacts) with ABI-encoded constructor args. */
int live_deploy(struct live_chain *c, uint8_t addr[20], const char *name, const uint8_t *args,
                size_t args_len);
/** Mine n empty blocks. */
void live_mine(struct live_chain *c, int n);
/** Fill seg with headers 0..tip, the block of tx, and the receipt proof of tx's log log_index. */
int live_segment(struct live_chain *c, struct qiao_ev_segment *seg, const struct live_tx *tx,
                 uint64_t log_index);
/** The index in tx's receipt of the first log from addr with topic0 (or -1). */
int live_log_index(const struct live_tx *tx, const uint8_t addr[20], const uint8_t topic0[32]);
/** 1 when the compiled contract artifacts exist. */
int live_have_artifacts(void);

/* props.c: flip one byte in every component of b and check the failure names it. */
void props_run(const char *name, const struct qiao_ev_bundle *b, const struct qiao_ev_trust *t);
/** Verify b (through build, parse) and return the report's verdict; r filled. */
int verify_bundle(const struct qiao_ev_bundle *b, const struct qiao_ev_trust *t,
                  struct qiao_ev_report *r);
/** Deep copy of a bundle through its canonical JSON. */
int bundle_copy(struct qiao_ev_bundle *dst, const struct qiao_ev_bundle *src);

/* tsa.c: RFC 3161 tokens from `openssl ts` (valid, mismatched imprint, expired TSA cert). */
void tsa_run(const struct qiao_ev_bundle *b, const char *trust_text, const char *dir);

#endif
