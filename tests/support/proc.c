/* proc.c: child processes for integration tests (see proc.h). */
#include "tests/support/proc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 64
static pid_t children[MAX_CHILDREN];

static void remember(pid_t pid)
{
    static int registered;
    if (!registered) {
        atexit(qiao_proc_stop_all);
        registered = 1;
    }
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (!children[i]) {
            children[i] = pid;
            return;
        }
}

static void forget(pid_t pid)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i] == pid)
            children[i] = 0;
}

pid_t qiao_proc_spawn(char *const argv[], const char *log_path)
{
    int fd = open(log_path ? log_path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "proc: cannot open log %s: %s\n", log_path, strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        setpgid(0, 0); /* own group, so a stop reaches the node's own children too */
        execv(argv[0], argv);
        fprintf(stderr, "proc: cannot exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fd);
    if (pid < 0) {
        fprintf(stderr, "proc: fork failed: %s\n", strerror(errno));
        return -1;
    }
    remember(pid);
    return pid;
}

static int wait_exit(pid_t pid, int ms)
{
    int status;
    for (int waited = 0; waited <= ms; waited += 20) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0)
            return -1;
        usleep(20000);
    }
    return -2;
}

int qiao_proc_stop(pid_t pid)
{
    if (pid <= 0)
        return -1;
    kill(-pid, SIGTERM);
    kill(pid, SIGTERM);
    int status = wait_exit(pid, 5000);
    if (status == -2) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        status = wait_exit(pid, 5000);
    }
    forget(pid);
    return status;
}

int qiao_proc_kill9(pid_t pid)
{
    if (pid <= 0)
        return -1;
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    int status = wait_exit(pid, 5000);
    forget(pid);
    return status;
}

void qiao_proc_stop_all(void)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i])
            qiao_proc_stop(children[i]);
}

int qiao_proc_free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int port = -1;
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (s >= 0)
        close(s);
    return port;
}

int qiao_proc_wait_port(int port, int timeout_ms, pid_t pid)
{
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int ok = s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
        if (s >= 0)
            close(s);
        if (ok)
            return 0;
        if (pid > 0 && waitpid(pid, NULL, WNOHANG) == pid) {
            forget(pid);
            return -1;
        }
        usleep(50000);
    }
    return -1;
}

const char *qiao_proc_kit_bin(const char *name)
{
    static char path[4096];
    struct stat st;
#ifdef QIAO_SOURCE_DIR
    snprintf(path, sizeof(path), "%s/node_modules/.bin/%s", QIAO_SOURCE_DIR, name);
#else
    snprintf(path, sizeof(path), "node_modules/.bin/%s", name);
#endif
    if (stat(path, &st) == 0)
        return path;
    fprintf(stderr, "proc: %s not found at %s; `./run test` installs the pinned npm kit\n", name,
            path);
    return NULL;
}
