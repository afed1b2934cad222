/*
 * config.h: the notary daemon's configuration (`qiao run --config FILE`), parsed from JSON text
 * and validated before anything starts.
 *
 * Pure: qiao_config_parse takes text and fills caller storage; no I/O, no globals, no heap that
 * outlives the call.  (qiao_config_load in config_load.c is the one function that reads a file.)
 *
 * Strictness is the point.  A typo must not pass silently, so every object admits only its known
 * keys plus "_comment" (a string, ignored: JSON has no comments).  Every refusal names the field by
 * its path, e.g. `committee.members[2]: duplicate member 0x…` or `chains[1].finalty: unknown key
 * (did you mean "finality"?)`, with a stable reason code in the diagnostic.  The format, defaults
 * and every rule are documented in config/README.md with an annotated example in
 * config/notary.example.json.
 *
 * Ownership: struct qiao_config is plain caller storage (about 60 KiB: allocate it, do not put it
 * on a small stack); it holds copies, no pointers into the JSON.
 */
#ifndef QIAO_CONFIG_CONFIG_H
#define QIAO_CONFIG_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"

#define QIAO_CFG_VERSION 1
#define QIAO_CFG_MAX_BYTES (1u << 20)
#define QIAO_CFG_MAX_CHAINS 16
#define QIAO_CFG_MAX_ENDPOINTS 4
#define QIAO_CFG_MAX_MEMBERS 64
#define QIAO_CFG_MAX_PEERS 63
#define QIAO_CFG_MAX_LANES 64
#define QIAO_CFG_NAME_MAX 32
#define QIAO_CFG_ID_MAX 64
#define QIAO_CFG_URL_MAX 256
#define QIAO_CFG_PATH_MAX 512
#define QIAO_CFG_HOST_MAX 64

#define QIAO_CFG_DEFAULT_API "127.0.0.1:8700"
#define QIAO_CFG_DEFAULT_PASSPHRASE_ENV "QIAO_KEY_PASSPHRASE"

enum qiao_cfg_finality {
    QIAO_CFG_FINALITY_CONFIRMATIONS = 0, /* final once `confirmations` blocks are on top */
    QIAO_CFG_FINALITY_FINALIZED_TAG,     /* EVM only: the node's "finalized" block tag */
};

struct qiao_cfg_chain {
    uint64_t id;
    char name[QIAO_CFG_NAME_MAX];
    char family[QIAO_CFG_NAME_MAX]; /* "evm", "bitcoin", "cometbft" */
    unsigned n_http, n_ws;
    char http[QIAO_CFG_MAX_ENDPOINTS][QIAO_CFG_URL_MAX];
    char ws[QIAO_CFG_MAX_ENDPOINTS][QIAO_CFG_URL_MAX];
    enum qiao_cfg_finality finality;
    uint32_t confirmations; /* when finality is CONFIRMATIONS */
    int has_checkpoint;
    uint64_t checkpoint_height;
    uint8_t checkpoint_hash[32];
    int has_outbox, has_inbox;
    uint8_t outbox[20], inbox[20];
    uint64_t max_fee_per_gas, max_priority_fee_per_gas, gas_limit; /* 0 = not capped / node's */
};

struct qiao_cfg_committee {
    uint8_t id[32];
    uint64_t epoch;
    unsigned n;
    uint8_t members[QIAO_CFG_MAX_MEMBERS][20];
    unsigned k;
    int allow_low_threshold;
};

struct qiao_cfg_peer {
    char id[QIAO_CFG_ID_MAX];
    uint8_t address[20];
    char url[QIAO_CFG_URL_MAX];
};

struct qiao_cfg_lane {
    uint64_t src, dst;
};

struct qiao_cfg_listen {
    char host[QIAO_CFG_HOST_MAX];
    uint16_t port;
};

struct qiao_config {
    struct {
        uint8_t address[20];
        char key_file[QIAO_CFG_PATH_MAX];
        char passphrase_env[QIAO_CFG_NAME_MAX * 2]; /* empty when passphrase_file is set */
        char passphrase_file[QIAO_CFG_PATH_MAX];
    } notary;
    struct qiao_cfg_committee committee;
    unsigned n_chains, n_peers, n_lanes;
    struct qiao_cfg_chain chains[QIAO_CFG_MAX_CHAINS];
    struct qiao_cfg_peer peers[QIAO_CFG_MAX_PEERS];
    struct qiao_cfg_lane lanes[QIAO_CFG_MAX_LANES];
    char store_path[QIAO_CFG_PATH_MAX];
    struct qiao_cfg_listen api;
    int api_allow_remote;
    struct qiao_cfg_listen mesh;
    int tls;
    char tls_cert[QIAO_CFG_PATH_MAX], tls_key[QIAO_CFG_PATH_MAX], tls_ca[QIAO_CFG_PATH_MAX];
    uint32_t peer_frame_bytes;   /* default 1 MiB */
    uint32_t peer_msgs_per_sec;  /* default 1000 */
    uint32_t submit_takeover_ms; /* default 30000 */
    uint32_t rpc_timeout_ms;     /* default 10000 */
};

/**
 * Parse and validate a configuration.
 * Returns: QIAO_OK; QIAO_EINVAL / QIAO_ERANGE with the field path first in d->msg and one of the
 *          reasons "bad-json", "duplicate-key", "unknown-key", "missing-field", "wrong-type",
 *          "bad-hex", "out-of-range", "too-long", "duplicate", "zero-address", "bad-threshold",
 *          "unknown-chain", "self-not-member", "bad-url", "bad-listen", "bad-value",
 *          "too-many", "missing-contract".
 * Out: *cfg (fully overwritten; undefined on failure).
 * In:  text[0..len).
 */
qiao_err qiao_config_parse(struct qiao_config *cfg, const char *text, size_t len,
                           struct qiao_diag *d);

/** Read the file at path (capped at QIAO_CFG_MAX_BYTES) and parse it; errors name the file. */
qiao_err qiao_config_load(struct qiao_config *cfg, const char *path, struct qiao_diag *d);

/** The chain with this id, or NULL. */
const struct qiao_cfg_chain *qiao_config_chain(const struct qiao_config *cfg, uint64_t id);

/** Index of addr in committee.members, or -1. */
int qiao_config_member_index(const struct qiao_config *cfg, const uint8_t addr[20]);

#endif
