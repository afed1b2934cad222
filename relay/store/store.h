/*
 * store.h: the notary's durable state in one SQLite 3 file: opening, migrations, transactions,
 * group commit and the test-only commit fault hook.
 *
 * The store is what makes a notary crash-safe.  It runs SQLite in WAL mode with synchronous=FULL,
 * so a COMMIT that returns has been fsynced.  Every state change (a message transition, an
 * attestation, a signing guard, an audit row) is one transaction, or one savepoint inside the
 * current tick's transaction.
 *
 * DURABILITY CONTRACT (group commit).  The event loop calls qiao_store_begin_tick, performs any
 * number of store operations, then qiao_store_end_tick.  Operations inside a tick are savepoints of
 * one transaction: each one is atomic on its own (a failed operation rolls back only itself, so one
 * bad message never blocks the others), but NOTHING from the tick is durable until end_tick returns
 * QIAO_OK.  A caller therefore signs, gossips or submits only AFTER end_tick returns QIAO_OK, and
 * when end_tick fails it must drop every side effect it planned in that tick (the whole tick was
 * rolled back; re-reading the store gives the truth).  Outside a tick each operation commits (and
 * fsyncs) on its own before returning.
 *
 * Ownership: qiao_store_open returns a handle the caller frees with qiao_store_close.  A handle is
 * used by one thread (the service loop).  Every pointer argument is borrowed for the call.
 * Integers that are uint64 in the protocol (chain ids, sequence numbers, heights) are stored as
 * SQLite's signed 64-bit integers by bit pattern; the API converts back.
 */
#ifndef QIAO_STORE_STORE_H
#define QIAO_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"

/** The schema version this build writes; a newer database is refused. */
#define QIAO_STORE_SCHEMA_VERSION 1

/** Milliseconds SQLite waits on a lock held by another connection before reporting busy. */
#define QIAO_STORE_BUSY_TIMEOUT_MS 5000

struct qiao_store;

/** Wall clock in Unix milliseconds; tests install their own to make backoff deterministic. */
typedef int64_t (*qiao_store_clock_fn)(void *ctx);

/**
 * Open (creating with mode 0600 if absent) and migrate the store at path.
 * Returns: QIAO_OK; QIAO_EIO ("open-failed", "pragma-failed", "migration-failed");
 *          QIAO_EUNSUPPORTED ("schema-too-new") when the file was written by a newer Qiao.
 * Out: *out, the handle (NULL on failure).
 */
qiao_err qiao_store_open(struct qiao_store **out, const char *path, struct qiao_diag *d);

/** Close; rolls back an unfinished tick.  NULL is a no-op. */
void qiao_store_close(struct qiao_store *s);

/** Replace the clock (NULL restores the system clock).  ctx is borrowed until replaced. */
void qiao_store_set_clock(struct qiao_store *s, qiao_store_clock_fn fn, void *ctx);

/** The store's current time in Unix milliseconds. */
int64_t qiao_store_now(struct qiao_store *s);

/** The schema version found in the file after migration (for `status`). */
int qiao_store_schema_version(struct qiao_store *s);

/**
 * Start a tick: one transaction that every following operation joins as a savepoint.
 * Returns: QIAO_OK; QIAO_ESTATE ("tick-open") if a tick is already open; QIAO_EIO.
 */
qiao_err qiao_store_begin_tick(struct qiao_store *s, struct qiao_diag *d);

/**
 * Commit the tick (the fsync happens here).  Only after QIAO_OK may the caller act on it.
 * Returns: QIAO_OK; QIAO_EIO ("commit-failed") after rolling the whole tick back;
 *          QIAO_ESTATE ("no-tick") when no tick is open.
 */
qiao_err qiao_store_end_tick(struct qiao_store *s, struct qiao_diag *d);

/** Abandon the tick, rolling back everything done in it.  No-op when no tick is open. */
void qiao_store_abort_tick(struct qiao_store *s);

/** 1 while a tick is open. */
int qiao_store_in_tick(const struct qiao_store *s);

/**
 * Fault injection (tests): make the commit after the next `skip` successful commits fail, the way
 * SQLite's commit hook turns a COMMIT into a ROLLBACK.  skip < 0 disarms.  The failure is reported
 * like any commit failure ("commit-failed").
 */
void qiao_store_fault_fail_commit(struct qiao_store *s, int skip);

#endif
