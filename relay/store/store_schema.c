/*
 * store_schema.c: the schema, as a list of migrations keyed on PRAGMA user_version.
 *
 * A migration is never edited once released: a schema change appends a new step.  CHECK
 * constraints repeat the rules the C code enforces (state names, blob lengths) so that even a
 * bug in the C layer cannot write a row the rest of the system would misread.
 *
 * Why some choices:
 * - attestations are UNIQUE(message, epoch, signer) rather than (message, signer): after a
 *   committee rotation a member re-signs a still-uncertified message under the new epoch, and the
 *   old-epoch signature must stay as evidence of what was signed.
 * - attestations carry no foreign key to messages: a peer's signature may arrive before this
 *   notary has observed (and proven) the message itself.
 * - signed_lane_seq is the anti-equivocation guard: one digest per (committee, epoch, lane, seq),
 *   written and committed BEFORE the notary signs.
 * - audit rows are protected against UPDATE and DELETE by triggers; the hash chain detects any
 *   edit made by someone who drops the triggers.
 */
#include "relay/store/store_int.h"

#define MSG_STATES "'observed','final','attested','certified','submitted','delivered','failed'"

static const char schema_v1[] =
    "CREATE TABLE chains("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL, family TEXT NOT NULL,"
    " checkpoint_height INTEGER, checkpoint_hash BLOB CHECK(checkpoint_hash IS NULL OR"
    "  length(checkpoint_hash)=32),"
    " tip_height INTEGER, final_height INTEGER, updated_at INTEGER NOT NULL);"

    "CREATE TABLE headers("
    " chain INTEGER NOT NULL REFERENCES chains(id), height INTEGER NOT NULL,"
    " hash BLOB NOT NULL CHECK(length(hash)=32), parent BLOB NOT NULL CHECK(length(parent)=32),"
    " raw BLOB NOT NULL, chainwork BLOB NOT NULL CHECK(length(chainwork)=32),"
    " status TEXT NOT NULL CHECK(status IN ('active','stale','final')),"
    " seen_at INTEGER NOT NULL, PRIMARY KEY(chain, hash));"
    "CREATE INDEX headers_by_height ON headers(chain, height);"

    "CREATE TABLE messages("
    " id BLOB NOT NULL UNIQUE CHECK(length(id)=32),"
    " version INTEGER NOT NULL, src_chain INTEGER NOT NULL,"
    " src_emitter BLOB NOT NULL CHECK(length(src_emitter)=20), seq INTEGER NOT NULL,"
    " dst_chain INTEGER NOT NULL, sender BLOB NOT NULL CHECK(length(sender)=20),"
    " receiver BLOB NOT NULL CHECK(length(receiver)=20),"
    " payload_hash BLOB NOT NULL CHECK(length(payload_hash)=32), payload BLOB NOT NULL,"
    " state TEXT NOT NULL CHECK(state IN (" MSG_STATES ")),"
    " failed_from TEXT CHECK(failed_from IS NULL OR failed_from IN (" MSG_STATES ")),"
    " attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER, last_error TEXT,"
    " src_block_height INTEGER, src_block_hash BLOB, src_tx_hash BLOB, src_log_index INTEGER,"
    " observed_at INTEGER, final_at INTEGER, attested_at INTEGER, certified_at INTEGER,"
    " submitted_at INTEGER, delivered_at INTEGER, failed_at INTEGER,"
    " updated_at INTEGER NOT NULL);"
    "CREATE INDEX messages_by_state ON messages(state, updated_at);"
    "CREATE INDEX messages_by_lane ON messages(src_chain, dst_chain, seq);"
    "CREATE INDEX messages_due ON messages(next_attempt_at) WHERE state='failed';"

    "CREATE TABLE attestations("
    " message BLOB NOT NULL CHECK(length(message)=32),"
    " committee BLOB NOT NULL CHECK(length(committee)=32), epoch INTEGER NOT NULL,"
    " signer BLOB NOT NULL CHECK(length(signer)=20),"
    " signature BLOB NOT NULL CHECK(length(signature)=65),"
    " peer TEXT, received_at INTEGER NOT NULL,"
    " UNIQUE(message, epoch, signer));"

    "CREATE TABLE signed_lane_seq("
    " committee BLOB NOT NULL CHECK(length(committee)=32), epoch INTEGER NOT NULL,"
    " src_chain INTEGER NOT NULL, dst_chain INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " digest BLOB NOT NULL CHECK(length(digest)=32), message BLOB NOT NULL,"
    " signed_at INTEGER NOT NULL,"
    " UNIQUE(committee, epoch, src_chain, dst_chain, seq));"

    "CREATE TABLE certificates("
    " message BLOB NOT NULL REFERENCES messages(id), committee BLOB NOT NULL, epoch INTEGER NOT NULL,"
    " signers INTEGER NOT NULL, sigs BLOB NOT NULL CHECK(length(sigs) = 65 * signers),"
    " created_at INTEGER NOT NULL, PRIMARY KEY(message, epoch));"

    "CREATE TABLE deliveries("
    " message BLOB NOT NULL REFERENCES messages(id), dst_chain INTEGER NOT NULL,"
    " tx_hash BLOB NOT NULL CHECK(length(tx_hash)=32), submitter TEXT,"
    " block_height INTEGER, block_hash BLOB, submitted_at INTEGER NOT NULL, confirmed_at INTEGER,"
    " PRIMARY KEY(message, tx_hash));"

    "CREATE TABLE htlc_swaps("
    " id BLOB PRIMARY KEY CHECK(length(id)=32), state TEXT NOT NULL,"
    " hashlock BLOB NOT NULL CHECK(length(hashlock)=32),"
    " chain_a INTEGER NOT NULL, chain_b INTEGER NOT NULL, timelock_a INTEGER NOT NULL,"
    " timelock_b INTEGER NOT NULL, blob BLOB NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX htlc_by_state ON htlc_swaps(state);"
    "CREATE INDEX htlc_by_hashlock ON htlc_swaps(hashlock);"

    "CREATE TABLE peers("
    " id TEXT PRIMARY KEY, address BLOB CHECK(address IS NULL OR length(address)=20),"
    " url TEXT, up INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,"
    " last_seen INTEGER, updated_at INTEGER NOT NULL);"

    "CREATE TABLE nonces("
    " chain INTEGER NOT NULL, address BLOB NOT NULL CHECK(length(address)=20),"
    " next_nonce INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY(chain, address));"

    "CREATE TABLE audit("
    " seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,"
    " chain INTEGER, height INTEGER, peer TEXT, detail TEXT NOT NULL,"
    " prev_hash BLOB NOT NULL CHECK(length(prev_hash)=32),"
    " hash BLOB NOT NULL CHECK(length(hash)=32));"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;";

const struct qiao_store_migration qiao_store_migrations[] = {
    {.version = 1, .sql = schema_v1},
};
const size_t qiao_store_migration_count =
    sizeof(qiao_store_migrations) / sizeof(qiao_store_migrations[0]);
