/* test_job_codec.c — the job message codec (sohoa_job_to_json / sohoa_job_from_json in
 * workers/runtime/record.c): every field survives a round trip for both kinds and lanes; the
 * encoding is compact JSON carrying the format version; bad messages (each row: a message and the
 * word its error must name) are refused with SOHOA_EFORMAT and leave the job zeroed; a newer
 * version is refused; unknown extra keys are ignored (a newer sender may add some within version
 * 1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/runtime/job.h"
#include "workers/runtime/record.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DOC      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_round_trip(void **state)
{
    (void)state;
    const struct sohoa_job jobs[] = {
        {SOHOA_JOB_PAGE, SOHOA_LANE_BULK, DOC, 0, 1, "pdf", 1},
        {SOHOA_JOB_PAGE, SOHOA_LANE_INTERACTIVE, DOC, 299, 300, "tiff", 7},
        {SOHOA_JOB_DOC, SOHOA_LANE_BULK, DOC, 0, 12, "jpeg", 2},
        {SOHOA_JOB_DOC, SOHOA_LANE_INTERACTIVE, DOC, 0, 1, "", 1},
    };
    for (size_t i = 0; i < COUNT(jobs); i++) {
        char *json = NULL;
        struct sohoa_err err = {0};
        assert_int_equal(sohoa_job_to_json(&jobs[i], &json, &err), 0);
        assert_non_null(strstr(json, "\"v\":1"));
        assert_null(strchr(json, '\n')); /* one line */
        struct sohoa_job back;
        memset(&back, 0x5A, sizeof back);
        if (sohoa_job_from_json(json, strlen(json), &back, &err) != 0)
            fail_msg("row %zu: %s: %s", i, json, err.msg);
        assert_int_equal(back.kind, jobs[i].kind);
        assert_int_equal(back.lane, jobs[i].lane);
        assert_string_equal(back.doc_id, jobs[i].doc_id);
        assert_int_equal(back.page, jobs[i].page);
        assert_int_equal(back.n_pages, jobs[i].n_pages);
        assert_string_equal(back.format, jobs[i].format);
        assert_int_equal(back.attempt, jobs[i].attempt);
        free(json);
    }
}

#define MSG(fields) "{\"v\":1," fields "}"
#define GOOD_TAIL   "\"lane\":\"bulk\",\"doc\":\"" DOC "\",\"page\":0,\"pages\":2,\"format\":\"png\""

static const struct {
    const char *json;
    const char *names; /* the error message must contain this */
} bad[] = {
    {"", "not valid JSON"},
    {"[1,2]", "JSON object"},
    {"{\"kind\":\"page\"}", "\"v\""},
    {"{\"v\":\"1\",\"kind\":\"page\"}", "\"v\""},
    {"{\"v\":2,\"kind\":\"page\"," GOOD_TAIL ",\"attempt\":1}", "newer"},
    {MSG("\"kind\":\"ocr\"," GOOD_TAIL ",\"attempt\":1"), "kind"},
    {MSG("\"kind\":7," GOOD_TAIL ",\"attempt\":1"), "kind"},
    {MSG("\"kind\":\"page\",\"lane\":\"fast\",\"doc\":\"" DOC "\",\"page\":0,\"pages\":2,"
         "\"format\":\"png\",\"attempt\":1"),
     "lane"},
    {MSG("\"kind\":\"page\",\"lane\":\"bulk\",\"doc\":\"0123\",\"page\":0,\"pages\":2,"
         "\"format\":\"png\",\"attempt\":1"),
     "doc"},
    {MSG("\"kind\":\"page\",\"lane\":\"bulk\",\"doc\":\""
         "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
         "\",\"page\":0,\"pages\":2,\"format\":\"png\",\"attempt\":1"),
     "doc"},
    {MSG("\"kind\":\"page\",\"lane\":\"bulk\",\"doc\":\"" DOC "\",\"page\":2,\"pages\":2,"
         "\"format\":\"png\",\"attempt\":1"),
     "page"},
    {MSG("\"kind\":\"page\",\"lane\":\"bulk\",\"doc\":\"" DOC "\",\"page\":-1,\"pages\":2,"
         "\"format\":\"png\",\"attempt\":1"),
     "page"},
    {MSG("\"kind\":\"page\",\"lane\":\"bulk\",\"doc\":\"" DOC "\",\"page\":0,\"pages\":0,"
         "\"format\":\"png\",\"attempt\":1"),
     "pages"},
    {MSG("\"kind\":\"page\"," GOOD_TAIL ",\"attempt\":0"), "attempt"},
    {MSG("\"kind\":\"page\"," GOOD_TAIL), "attempt"},
    {MSG("\"kind\":\"page\",\"lane\":\"bulk\",\"doc\":\"" DOC "\",\"page\":0,\"pages\":2,"
         "\"format\":\"a-format-name-too-long\",\"attempt\":1"),
     "format"},
    {MSG("\"kind\":\"page\",\"kind\":\"doc\"," GOOD_TAIL ",\"attempt\":1"), "not valid JSON"},
};

static void test_bad_messages(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(bad); i++) {
        struct sohoa_job job;
        memset(&job, 0x5A, sizeof job);
        struct sohoa_err err = {0};
        int rc = sohoa_job_from_json(bad[i].json, strlen(bad[i].json), &job, &err);
        if (rc != SOHOA_EFORMAT)
            fail_msg("row %zu (%s): returned %d, want EFORMAT", i, bad[i].json, rc);
        if (!strstr(err.msg, bad[i].names))
            fail_msg("row %zu: message \"%s\" does not name %s", i, err.msg, bad[i].names);
        assert_false(err.retryable);
        assert_int_equal(job.kind, 0);
        assert_int_equal(job.doc_id[0], '\0');
    }
}

static void test_extra_keys_ignored(void **state)
{
    (void)state;
    const char *j = MSG("\"kind\":\"doc\"," GOOD_TAIL ",\"attempt\":4,\"trace\":\"abc\"");
    struct sohoa_job job;
    assert_int_equal(sohoa_job_from_json(j, strlen(j), &job, NULL), 0);
    assert_int_equal(job.kind, SOHOA_JOB_DOC);
    assert_int_equal(job.attempt, 4);
    /* length-bounded: the text after `len` is not read */
    char buf[600];
    snprintf(buf, sizeof buf, "%sGARBAGE", j);
    assert_int_equal(sohoa_job_from_json(buf, strlen(j), &job, NULL), 0);
}

static void test_job_id_and_lanes(void **state)
{
    (void)state;
    struct sohoa_job j = {SOHOA_JOB_PAGE, SOHOA_LANE_BULK, DOC, 4, 9, "pdf", 1};
    char id[SOHOA_JOB_ID_MAX];
    sohoa_job_id(&j, id, sizeof id);
    assert_string_equal(id, "page:" DOC ":5");
    j.kind = SOHOA_JOB_DOC;
    sohoa_job_id(&j, id, sizeof id);
    assert_string_equal(id, "doc:" DOC);
    enum sohoa_lane l;
    assert_int_equal(sohoa_lane_parse("interactive", &l), 0);
    assert_int_equal(l, SOHOA_LANE_INTERACTIVE);
    assert_string_equal(sohoa_lane_name(SOHOA_LANE_BULK), "bulk");
    assert_int_equal(sohoa_lane_parse("Bulk", &l), SOHOA_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bad_messages),
        cmocka_unit_test(test_extra_keys_ignored),
        cmocka_unit_test(test_job_id_and_lanes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
