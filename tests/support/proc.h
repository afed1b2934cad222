/*
 * proc.h: start and stop the real chain nodes (anvil, bcoin) that integration tests drive.
 *
 * Nodes bind 127.0.0.1 only, on ports the test picks with qiao_proc_free_port.  They are stopped by
 * PID (SIGTERM, then SIGKILL after a grace period), and a test's atexit handler stops any it
 * started, so a failing test leaves nothing running.
 */
#ifndef QIAO_TEST_PROC_H
#define QIAO_TEST_PROC_H

#include <sys/types.h>

/**
 * Spawn argv[0] with argv, stdout and stderr appended to log_path (or /dev/null when NULL).
 * Returns the PID, or -1 with a message on stderr.  The child is recorded for qiao_proc_stop_all.
 */
pid_t qiao_proc_spawn(char *const argv[], const char *log_path);

/** SIGTERM, wait up to 5 s, then SIGKILL; reaps the child.  Returns its wait status or -1. */
int qiao_proc_stop(pid_t pid);

/** SIGKILL without grace (crash tests).  Reaps the child. */
int qiao_proc_kill9(pid_t pid);

/** Stop every child still recorded (registered with atexit by the first spawn). */
void qiao_proc_stop_all(void);

/** A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0 and read it back). */
int qiao_proc_free_port(void);

/** Wait until something accepts TCP connections on 127.0.0.1:port; 0 on success, -1 on timeout
 *  or if pid (when > 0) exits first. */
int qiao_proc_wait_port(int port, int timeout_ms, pid_t pid);

/** Path of a binary from the pinned npm kit: <source>/node_modules/.bin/<name>, or NULL (with a
 *  message naming `./run test` as the way to install it) when absent. Static buffer. */
const char *qiao_proc_kit_bin(const char *name);

#endif
