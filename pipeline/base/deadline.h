/* deadline.h — the clock every layer reads (milliseconds on CLOCK_MONOTONIC, for durations and
 * deadlines), and an absolute time some milliseconds from now, for pthread_cond_timedwait (on
 * CLOCK_REALTIME) and for deadlines checked against CLOCK_MONOTONIC.
 * Threads: reentrant; nothing crosses it but the caller's struct timespec.
 */
#ifndef SOHOA_DEADLINE_H
#define SOHOA_DEADLINE_H

#include <time.h>

/* *out = the time on `clock` `ms` milliseconds (≥ 0) from now, normalised (tv_nsec < 1e9). */
void sohoa_deadline_in(clockid_t clock, long ms, struct timespec *out);

/* Milliseconds on CLOCK_MONOTONIC (an arbitrary origin): for durations and deadlines only. */
double sohoa_now_ms(void);

#endif
