/*
 * evidence.h: court-ready evidence bundles, format `qiao-evidence/1` (docs/EVIDENCE_FORMAT.md).
 *
 * A bundle carries one relayed record with everything needed to re-prove it offline: the record
 * and its SHA-256, the Qiao message that carried it, the source chain's proof (header chain from
 * a trust checkpoint, inclusion proof, finality), the notary certificate, the committee-update
 * chain from the trust anchor's genesis committee, the destination Inbox's delivery receipt proof
 * and an optional RFC 3161 timestamp token.
 *
 * This library is PURE: no sockets, no database, no globals.  The offline verifier (`qiao
 * verify`), the daemon's exporter and the fuzz target link it with the adapters' pure halves.
 *
 * Ownership: a struct qiao_ev_bundle owns every array and byte string it points to (malloc'd);
 * release it with qiao_ev_bundle_clear.  Builders copy what they are given.  Parsing allocates;
 * verification allocates only from the caller's arena (QIAO_EV_ARENA_BYTES suffice).
 */
#ifndef QIAO_EVIDENCE_H
#define QIAO_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"
#include "relay/notary/attest.h"

#define QIAO_EV_FORMAT "qiao-evidence/1"
#define QIAO_EV_TRUST_FORMAT "qiao-trust/1"
#define QIAO_EV_MAX_BYTES ((size_t)16 << 20) /* largest bundle file accepted */
#define QIAO_EV_MAX_HEADERS 4096             /* headers per chain segment */
#define QIAO_EV_MAX_LIGHT_BLOCKS 64          /* CometBFT light blocks per bundle */
#define QIAO_EV_MAX_UPDATES 256              /* committee updates per bundle */
#define QIAO_EV_MAX_CHAINS 32                /* chains in a trust file */
#define QIAO_EV_MAX_TSA 8                    /* TSA certificates in a trust file */
#define QIAO_EV_SUBJECT_MAX 128
/** Arena the verifier needs (two CometBFT light blocks and scratch). */
#define QIAO_EV_ARENA_BYTES ((size_t)8 << 20)

enum qiao_ev_family { QIAO_EV_EVM = 1, QIAO_EV_BITCOIN = 2, QIAO_EV_COMETBFT = 3 };

/** An owned byte string (p may be NULL when len is 0). */
struct qiao_ev_bytes {
    uint8_t *p;
    size_t len;
};

/** A segment of a chain: headers from the checkpoint, the including block, an inclusion proof. */
struct qiao_ev_segment {
    uint64_t chain_id;
    struct qiao_ev_bytes *headers; /* evm: header RLP; bitcoin: 80 bytes; headers[0] = checkpoint */
    size_t nheaders;
    uint64_t block;                /* index in headers of the including block */
    struct qiao_ev_bytes proof;    /* evm: receipt proof wire form; bitcoin: Merkle siblings */
    uint64_t index;                /* evm: log index in the receipt; bitcoin: tx index in block */
};

/** How a CometBFT header field commits to the record. */
enum qiao_ev_binding { QIAO_EV_BIND_VALUE = 1, QIAO_EV_BIND_SHA256 = 2 };

struct qiao_ev_source {
    enum qiao_ev_family family;
    struct qiao_ev_segment seg;    /* evm, bitcoin (cometbft: chain_id only) */
    char **light_blocks;           /* cometbft: canonical JSON texts; [0] is the checkpoint */
    size_t nlight;
    char field[24];                /* cometbft: header field bound to the record, e.g. "app_hash" */
    enum qiao_ev_binding binding;  /* cometbft */
};

struct qiao_ev_update {
    uint64_t epoch; /* the new epoch */
    unsigned k;
    uint8_t (*members)[20];
    size_t n;
    uint8_t (*sigs)[65]; /* by the previous epoch's committee, signer ascending */
    size_t nsigs;
};

struct qiao_ev_bundle {
    struct {
        struct qiao_ev_bytes payload; /* the record's bytes, exactly as relayed */
        uint8_t sha256[32];
        char subject[QIAO_EV_SUBJECT_MAX]; /* evm: "0x" sender; others: stated, not proven */
        uint64_t source_time;              /* Unix seconds of the including block */
        uint64_t observed_time;            /* when the relay saw it (the relay's claim) */
    } record;
    struct qiao_message message; /* payload/payload_len point into record.payload */
    uint8_t message_id[32];
    struct qiao_ev_source source;
    struct {
        uint8_t committee_id[32];
        uint64_t epoch;
        uint8_t (*sigs)[65];
        size_t nsigs;
    } cert;
    struct qiao_ev_update *updates;
    size_t nupdates;
    struct qiao_ev_segment delivery; /* evm destination: Inbox MessageDelivered receipt proof */
    struct qiao_ev_bytes timestamp;  /* DER TimeStampToken; len 0 when absent */
};

/** One chain the verifier trusts. */
struct qiao_ev_chain {
    uint64_t chain_id;
    enum qiao_ev_family family;
    char name[48];
    uint64_t checkpoint_height;
    uint8_t checkpoint_hash[32]; /* internal order (bitcoin: as hashed, not display order) */
    uint64_t confirmations;      /* headers required above the including block */
    uint8_t emitter[20];         /* source: the Outbox (evm) or the emitter id (others) */
    int has_emitter;
    uint8_t inbox[20];           /* destination: the Inbox */
    int has_inbox;
    char network[16];            /* bitcoin: main|testnet|regtest */
    int64_t trusting_period_ns;  /* cometbft */
};

/** trust.json: the verifier's anchors.  Owns tsa_pem strings. */
struct qiao_ev_trust {
    struct qiao_ev_chain chains[QIAO_EV_MAX_CHAINS];
    size_t nchains;
    uint8_t committee_id[32];
    uint64_t epoch;
    unsigned k;
    uint8_t members[QIAO_COMMITTEE_MAX][20];
    size_t n;
    char *tsa_pem[QIAO_EV_MAX_TSA];
    size_t ntsa;
};

/** Verdicts, which are also `qiao verify`'s exit codes. */
enum qiao_ev_verdict { QIAO_EV_VERIFIED = 0, QIAO_EV_REJECTED = 1, QIAO_EV_UNUSABLE = 2 };

#define QIAO_EV_MAX_CHECKS 48
/** One check that ran, in order. */
struct qiao_ev_check {
    const char *component; /* "record", "source", "message", "committee", "certificate", ... */
    const char *check;     /* stable kebab-case name of the check */
    int ok;
    char detail[200];
};

/** What was proven: the facts a judge reads.  Filled as far as verification got. */
struct qiao_ev_report {
    enum qiao_ev_verdict verdict;
    struct qiao_ev_check checks[QIAO_EV_MAX_CHECKS];
    size_t nchecks;
    const char *fail_component; /* NULL when verified */
    const char *fail_check;
    struct qiao_diag fail;      /* reason and message of the failure */
    const char *family;
    char src_name[48], dst_name[48];
    uint64_t src_chain_id, src_height, src_time, src_confirmations;
    uint8_t src_block_hash[32];
    uint64_t dst_chain_id, dst_height, dst_time, dst_confirmations;
    uint8_t dst_block_hash[32];
    uint8_t record_sha256[32], message_id[32], core_sha256[32];
    uint64_t epoch, genesis_epoch, observed_time;
    unsigned k;
    uint8_t signers[QIAO_COMMITTEE_MAX][20];
    size_t nsigners;
    size_t updates;
    int has_timestamp;
    uint64_t tsa_time; /* the token's genTime, Unix seconds */
    char tsa_name[160];
};

/** Free everything the bundle owns and zero it.  NULL is a no-op. */
void qiao_ev_bundle_clear(struct qiao_ev_bundle *b);
/** Free the trust file's PEM strings.  NULL is a no-op. */
void qiao_ev_trust_clear(struct qiao_ev_trust *t);

/** Copy n bytes into an owned byte string (replacing its contents). */
qiao_err qiao_ev_bytes_set(struct qiao_ev_bytes *b, const void *p, size_t n, struct qiao_diag *d);
/** Append a copy of one header to a segment (QIAO_EV_MAX_HEADERS cap, "too-many-headers"). */
qiao_err qiao_ev_segment_push(struct qiao_ev_segment *s, const uint8_t *raw, size_t len,
                              struct qiao_diag *d);

/**
 * Build the canonical JSON of a bundle (docs/EVIDENCE_FORMAT.md §2): keys sorted, no whitespace,
 * integers as decimal strings, bytes as lowercase 0x-hex.  with_timestamp 0 gives the bundle's
 * "core", whose SHA-256 an RFC 3161 token must stamp.
 * Out: out (appended).  Returns: QIAO_OK, QIAO_EINVAL for a malformed field, QIAO_ENOMEM.
 */
qiao_err qiao_ev_build(struct qiao_buf *out, const struct qiao_ev_bundle *b, int with_timestamp,
                       struct qiao_diag *d);

/** SHA-256 of the canonical core (qiao_ev_build without the timestamp).  Out: digest. */
qiao_err qiao_ev_core_digest(struct qiao_crypto *cx, uint8_t digest[32],
                             const struct qiao_ev_bundle *b, struct qiao_diag *d);

/**
 * Parse a bundle strictly: qiao_json_parse caps and duplicate keys, the format string, every
 * field present with its type, unknown fields refused ("unknown-field"), sizes capped, and the
 * text must be exactly the canonical encoding ("non-canonical").  Out: b (clear it even on error).
 * Returns: QIAO_OK, QIAO_EINVAL, QIAO_ERANGE or QIAO_ENOMEM; d names the field.
 */
qiao_err qiao_ev_parse(struct qiao_ev_bundle *b, const char *text, size_t len,
                       struct qiao_diag *d);

/** Parse trust.json (docs/EVIDENCE_FORMAT.md §4).  Out: t (clear it even on error). */
qiao_err qiao_ev_trust_parse(struct qiao_ev_trust *t, const char *text, size_t len,
                             struct qiao_diag *d);

/**
 * Verify b against t, offline.  Checks run in a fixed order (record, source, message, committee,
 * certificate, delivery, timestamp) and stop at the first failure, which r names by component,
 * check and reason.  Out: r (verdict VERIFIED or REJECTED, the facts proven).  In: arena of at
 * least QIAO_EV_ARENA_BYTES.  Returns: QIAO_OK when verified, else the failure's code.
 */
qiao_err qiao_ev_verify(struct qiao_crypto *cx, struct qiao_ev_report *r,
                        const struct qiao_ev_bundle *b, const struct qiao_ev_trust *t,
                        struct qiao_arena *arena, struct qiao_diag *d);

/**
 * Reports.  Each appends to out: a plain-text page a judge can read (what was proven, by whom,
 * when, at which heights, every check), a JSON object (keys sorted, as bundles), or a printable
 * HTML page.  An UNUSABLE report (input that could not be read) carries only the failure.
 */
qiao_err qiao_ev_report_text(struct qiao_buf *out, const struct qiao_ev_report *r,
                             struct qiao_diag *d);
qiao_err qiao_ev_report_json(struct qiao_buf *out, const struct qiao_ev_report *r,
                             struct qiao_diag *d);
qiao_err qiao_ev_report_html(struct qiao_buf *out, const struct qiao_ev_report *r,
                             struct qiao_diag *d);
/** Mark r as UNUSABLE input, naming what could not be read (component) and the diagnostic. */
void qiao_ev_report_unusable(struct qiao_ev_report *r, const char *component,
                             const struct qiao_diag *d);

/** Name of a family: "evm", "bitcoin", "cometbft" (or "unknown"). */
const char *qiao_ev_family_name(enum qiao_ev_family f);
/** Parse a family name ("unknown-family"). */
qiao_err qiao_ev_family_parse(enum qiao_ev_family *f, const char *s, struct qiao_diag *d);

/** The trusted chain with chain_id, or NULL. */
const struct qiao_ev_chain *qiao_ev_trust_chain(const struct qiao_ev_trust *t, uint64_t chain_id);

#endif
