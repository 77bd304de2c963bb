/* deadline.h — an absolute time some milliseconds from now, for pthread_cond_timedwait (on
 * CLOCK_REALTIME) and for deadlines checked against CLOCK_MONOTONIC.
 * Threads: reentrant; nothing crosses it but the caller's struct timespec.
 */
#ifndef SOHOA_DEADLINE_H
#define SOHOA_DEADLINE_H

#include <time.h>

/* *out = the time on `clock` `ms` milliseconds (≥ 0) from now, normalised (tv_nsec < 1e9). */
void sohoa_deadline_in(clockid_t clock, long ms, struct timespec *out);

#endif
