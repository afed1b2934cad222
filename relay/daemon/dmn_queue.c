/* dmn_queue.c: the service/worker hand-off queues (dmn_queue.h). */
#include "relay/daemon/dmn_queue.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

struct qiao_dmn_item *qiao_dmn_item_new(enum qiao_dmn_kind kind, uint64_t chain)
{
    struct qiao_dmn_item *it = calloc(1, sizeof(*it));
    if (it)
        it->kind = kind, it->chain = chain;
    return it;
}

void qiao_dmn_item_free(struct qiao_dmn_item *it)
{
    if (!it)
        return;
    free(it->msg);
    free(it->blob);
    free(it);
}

void qiao_dmn_item_free_list(struct qiao_dmn_item *it)
{
    while (it) {
        struct qiao_dmn_item *next = it->next;
        qiao_dmn_item_free(it);
        it = next;
    }
}

void qiao_dmn_queue_init(struct qiao_dmn_queue *q)
{
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    q->head = q->tail = NULL;
    q->len = 0;
}

void qiao_dmn_queue_clear(struct qiao_dmn_queue *q)
{
    qiao_dmn_item_free_list(qiao_dmn_queue_take(q));
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
}

void qiao_dmn_queue_push(struct qiao_dmn_queue *q, struct qiao_dmn_item *it)
{
    it->next = NULL;
    pthread_mutex_lock(&q->mu);
    if (q->tail)
        q->tail->next = it;
    else
        q->head = it;
    q->tail = it;
    q->len++;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

struct qiao_dmn_item *qiao_dmn_queue_take(struct qiao_dmn_queue *q)
{
    pthread_mutex_lock(&q->mu);
    struct qiao_dmn_item *all = q->head;
    q->head = q->tail = NULL;
    q->len = 0;
    pthread_mutex_unlock(&q->mu);
    return all;
}

struct qiao_dmn_item *qiao_dmn_queue_wait(struct qiao_dmn_queue *q, unsigned ms,
                                          const volatile int *stop)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L)
        until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&q->mu);
    while (!q->head && !*stop)
        if (pthread_cond_timedwait(&q->cv, &q->mu, &until) == ETIMEDOUT)
            break;
    struct qiao_dmn_item *all = q->head;
    q->head = q->tail = NULL;
    q->len = 0;
    pthread_mutex_unlock(&q->mu);
    return all;
}

size_t qiao_dmn_queue_len(struct qiao_dmn_queue *q)
{
    pthread_mutex_lock(&q->mu);
    size_t n = q->len;
    pthread_mutex_unlock(&q->mu);
    return n;
}
