/* dmn_swap_queue.c: the swap driver's hand-off queues between the service thread and the swap
 * worker (dmn_swap.h).  A mutex-protected FIFO of heap items, so each producer's order holds. */
#include <stdlib.h>
#include <time.h>

#include "relay/daemon/dmn_swap.h"

void qiao_swq_init(struct qiao_swq *q)
{
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    q->head = q->tail = NULL;
}

void qiao_swq_free_list(struct qiao_swq_item *it)
{
    while (it) {
        struct qiao_swq_item *next = it->next;
        free(it);
        it = next;
    }
}

void qiao_swq_clear(struct qiao_swq *q)
{
    qiao_swq_free_list(q->head);
    q->head = q->tail = NULL;
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
}

struct qiao_swq_item *qiao_swq_new(enum qiao_swq_kind kind)
{
    struct qiao_swq_item *it = calloc(1, sizeof(*it));
    if (it)
        it->kind = kind;
    return it;
}

void qiao_swq_push(struct qiao_swq *q, struct qiao_swq_item *it)
{
    if (!it)
        return;
    it->next = NULL;
    pthread_mutex_lock(&q->mu);
    if (q->tail)
        q->tail->next = it;
    else
        q->head = it;
    q->tail = it;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

struct qiao_swq_item *qiao_swq_take(struct qiao_swq *q, unsigned ms, const volatile int *stop)
{
    pthread_mutex_lock(&q->mu);
    if (!q->head && ms && !(stop && *stop)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += ms / 1000;
        ts.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L)
            ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&q->cv, &q->mu, &ts);
    }
    struct qiao_swq_item *all = q->head;
    q->head = q->tail = NULL;
    pthread_mutex_unlock(&q->mu);
    return all;
}
