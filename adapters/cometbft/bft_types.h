/*
 * bft_types.h: the decoded shapes of a CometBFT light block (header, commit, validator sets) and
 * the caps the decoder enforces on them.
 *
 * Ownership: a decoded light block is plain data.  Its validator and signature arrays live in the
 * struct qiao_arena the decoder was given, so the block is valid exactly as long as that arena's
 * storage is (and until the arena is reset).  Nothing here owns heap memory.
 */
#ifndef QIAO_BFT_TYPES_H
#define QIAO_BFT_TYPES_H

#include <stddef.h>
#include <stdint.h>

/* CometBFT's own limits: MaxChainIDLen, MaxVotesCount, MaxTotalVotingPower (MaxInt64 / 8). */
#define QIAO_BFT_MAX_CHAIN_ID 50
#define QIAO_BFT_MAX_VALIDATORS 10000
#define QIAO_BFT_MAX_TOTAL_POWER ((int64_t)(INT64_MAX / 8))
/* Hash fields are empty or 32 bytes; app_hash is opaque to CometBFT, so we cap it generously. */
#define QIAO_BFT_MAX_HASH 64
#define QIAO_BFT_ADDRESS_LEN 20
#define QIAO_BFT_SIG_LEN 64

/*
 * Two encodings exist for the hashed and signed structures.  Tendermint up to v0.33 (block
 * protocol 10 and below) used go-amino; v0.34 bumped the block protocol to 11 together with the
 * switch to protobuf, and CometBFT has kept protobuf since.  The header's version.block picks
 * the encoding, and the light client refuses to cross from one to the other.
 */
enum qiao_bft_encoding {
    QIAO_BFT_ENC_PROTO = 0, /* block protocol >= 11: Tendermint v0.34+, CometBFT */
    QIAO_BFT_ENC_AMINO = 1, /* block protocol <= 10: Tendermint v0.33 and earlier */
};
#define QIAO_BFT_BLOCK_PROTOCOL_PROTO 11

/** A point in time: seconds since the Unix epoch (may be negative) and nanoseconds in [0, 1e9). */
struct qiao_bft_time {
    int64_t sec;
    int32_t nsec;
};

/** A variable-length hash field (0..QIAO_BFT_MAX_HASH bytes). */
struct qiao_bft_hash {
    uint8_t len;
    uint8_t b[QIAO_BFT_MAX_HASH];
};

struct qiao_bft_block_id {
    struct qiao_bft_hash hash;
    uint32_t parts_total;
    struct qiao_bft_hash parts_hash;
};

struct qiao_bft_header {
    uint64_t version_block;
    uint64_t version_app;
    char chain_id[QIAO_BFT_MAX_CHAIN_ID + 1]; /* NUL-terminated; no interior NUL accepted */
    size_t chain_id_len;
    int64_t height; /* > 0 */
    struct qiao_bft_time time;
    struct qiao_bft_block_id last_block_id;
    struct qiao_bft_hash last_commit_hash, data_hash, validators_hash, next_validators_hash,
        consensus_hash, app_hash, last_results_hash, evidence_hash, proposer_address;
};

/** The encoding a header's block protocol version implies. */
static inline enum qiao_bft_encoding qiao_bft_encoding_of(const struct qiao_bft_header *h)
{
    return h->version_block >= QIAO_BFT_BLOCK_PROTOCOL_PROTO ? QIAO_BFT_ENC_PROTO : QIAO_BFT_ENC_AMINO;
}

/** BlockIDFlag of one commit signature. */
enum qiao_bft_flag {
    QIAO_BFT_FLAG_ABSENT = 1, /* no vote received: carries no address and no signature */
    QIAO_BFT_FLAG_COMMIT = 2, /* voted for the committed block: counts toward power */
    QIAO_BFT_FLAG_NIL = 3,    /* voted nil: signed, but counts toward nothing */
};

struct qiao_bft_commit_sig {
    uint8_t flag; /* enum qiao_bft_flag */
    uint8_t address[QIAO_BFT_ADDRESS_LEN];
    struct qiao_bft_time timestamp;
    uint8_t sig[QIAO_BFT_SIG_LEN];
};

struct qiao_bft_commit {
    int64_t height;
    int32_t round;
    struct qiao_bft_block_id block_id;
    size_t n_sigs;
    struct qiao_bft_commit_sig *sigs; /* arena */
};

enum qiao_bft_key_type {
    QIAO_BFT_KEY_ED25519 = 1,
    QIAO_BFT_KEY_SECP256K1 = 2,
};

struct qiao_bft_validator {
    uint8_t address[QIAO_BFT_ADDRESS_LEN];
    uint8_t key_type; /* enum qiao_bft_key_type */
    uint8_t pub_len;  /* 32 (Ed25519) or 33 (compressed secp256k1) */
    uint8_t pub[33];
    int64_t power; /* > 0 */
};

/** A validator set in CometBFT's canonical order: power descending, then address ascending. */
struct qiao_bft_valset {
    size_t n;
    struct qiao_bft_validator *v; /* arena */
    const struct qiao_bft_validator **by_addr; /* arena: the same validators by address, for lookup */
    int64_t total_power;          /* recomputed; never taken from the JSON */
};

/** A light block.  has_* say which optional parts the JSON carried. */
struct qiao_bft_light_block {
    struct qiao_bft_header header;
    struct qiao_bft_commit commit;
    struct qiao_bft_valset vals, next_vals;
    int has_commit, has_vals, has_next_vals;
};

#endif
