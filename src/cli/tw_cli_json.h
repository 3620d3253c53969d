/*
 * tw_cli_json.h — a strict scanner for one JSONL line holding one JSON
 * object, which pulls out the few top-level fields the CLI reads (id, text,
 * title, time) without building a tree.
 *
 * It replaces cJSON on the CLI's hot path: cJSON allocates a node and a
 * copy for every value of every line, which cost half of the run time on a
 * 96 MB feed. Here the whole line is validated in one pass, strings are
 * scanned eight bytes at a time, and the wanted strings are decoded in
 * place, in the caller's buffer: nothing is allocated.
 *
 * Strict means RFC 8259: the line is exactly one object with optional
 * space, tab, CR or LF around it; keys are strings; numbers follow
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?; strings hold no raw byte
 * below 0x20 and only the escapes \" \\ \/ \b \f \n \r \t \uXXXX; nested
 * objects and arrays are validated and skipped, at most 1000 containers
 * deep counting the line's own object (cJSON's limit). Bytes >= 0x80 inside
 * strings pass through untouched: UTF-8 validity is the engine's business.
 * Two departures from "reject what is not perfect", both in decoding:
 *   - a \uD800-\uDBFF escape followed by a \uDC00-\uDFFF escape becomes one
 *     4-byte UTF-8 sequence; a lone or mismatched surrogate escape becomes
 *     U+FFFD (EF BF BD) instead of an error (cJSON rejects the line);
 *   - \u0000 decodes to a NUL byte that is kept, with the length counting
 *     past it (cJSON cuts the string there).
 * A key is compared after decoding, so "t\u0065xt" is the key "text"; a key
 * that decodes to something holding NUL matches no name.
 */
#ifndef TW_CLI_JSON_H
#define TW_CLI_JSON_H

#include <stddef.h>

/* What a field's value is. OTHER: true, false, null, an object or an array. */
typedef enum tw_cli_json_kind {
    TW_CLI_JSON_ABSENT = 0,
    TW_CLI_JSON_STRING,
    TW_CLI_JSON_NUMBER,
    TW_CLI_JSON_OTHER,
} tw_cli_json_kind;

/* One top-level key the caller wants, and what was found for it. */
typedef struct tw_cli_json_field {
    /* in */
    const char *name; /* the key, a C string; the first occurrence in the line
                         wins (as cJSON_GetObjectItemCaseSensitive); NULL
                         matches nothing */
    int decode;       /* 1: decode a string value in place (str, str_len);
                         0: report only raw, leaving its bytes as written */
    /* out (all reset on every call; on error every kind is ABSENT) */
    tw_cli_json_kind kind;
    const char *raw;  /* the value's token in the line, exactly as written
                         (valid JSON: quotes, escapes, nested text included) */
    size_t raw_len;
    const char *str;  /* kind STRING and decode: the decoded string, inside
                         raw's bytes, which it overwrites. It is NUL-terminated
                         (the NUL goes on the closing quote, or in the room
                         the escapes freed), but may also hold NUL bytes from
                         \u0000: use str_len. NULL otherwise. */
    size_t str_len;
    double num;       /* kind NUMBER: strtod's value of the token; else 0 */
} tw_cli_json_field;

/*
 * Parses line[0..len) as one JSON object and fills each field from the
 * first top-level member whose key equals its name. Returns NULL on
 * success, else a static message: "not a JSON object" when the line is
 * valid JSON of another type, "invalid JSON" otherwise (also for line NULL,
 * or fields NULL with nfields > 0).
 *
 * The line is modified: the strings of fields with decode set are decoded
 * in place (an escaped string never grows when decoded) and NUL-terminated.
 * Nothing else is written (a number's following byte is borrowed as strtod's
 * terminator and put back). So the raw bytes of a field with decode 0 stay
 * as written, unless another field in the same call has the same name and
 * decode 1: both then describe the same token, which is decoded. On error
 * the line may be partly decoded. line need not be NUL-terminated; nothing
 * at or past line[len] is read or written. str and raw point into line and
 * live as long as it does.
 *
 * Uses strtod, hence the C library's current locale for the decimal point
 * (the CLI never calls setlocale, so it is "C"). Thread-safe for distinct
 * lines and field arrays.
 */
const char *tw_cli_json_object(char *line, size_t len, tw_cli_json_field *fields, size_t nfields);

/* Nonzero: the string loop takes AVX2 (tw_cli_json_avx2.c) where the
 * build has it; the caller knows the CPU can (the CLI asks tw_isa, so
 * TAWAM_FORCE_ISA lowers it too). Set it before any thread scans. */
void tw_cli_json_use_avx2(int on);

#endif
