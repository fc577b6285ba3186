/* Module entry and argument helpers. */
#include "addon.h"
#include <string.h>

int arg_i32(napi_env env, napi_value v, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a number");
    return -1;
  }
  return 0;
}

int arg_i64(napi_env env, napi_value v, int64_t *out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_bigint) {
    bool lossless;
    if (napi_get_value_bigint_int64(env, v, out, &lossless) == napi_ok) return 0;
  } else if (t == napi_number) {
    double d;
    napi_get_value_double(env, v, &d);
    *out = (int64_t)d;
    return 0;
  }
  napi_throw_type_error(env, NULL, "expected a number or bigint");
  return -1;
}

int arg_u64(napi_env env, napi_value v, uint64_t *out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_bigint) {
    bool lossless;
    if (napi_get_value_bigint_uint64(env, v, out, &lossless) == napi_ok) return 0;
  } else if (t == napi_number) {
    double d;
    napi_get_value_double(env, v, &d);
    *out = d < 0 ? (uint64_t)(int64_t)d : (uint64_t)d;
    return 0;
  }
  napi_throw_type_error(env, NULL, "expected a number or bigint");
  return -1;
}

int arg_bytes(napi_env env, napi_value v, void **data, size_t *len) {
  bool is;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t length, offset;
    napi_value ab;
    void *p;
    napi_get_typedarray_info(env, v, &type, &length, &p, &ab, &offset);
    size_t el = 1;
    switch (type) {
      case napi_int16_array: case napi_uint16_array: el = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: el = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: el = 8; break;
      default: el = 1;
    }
    *data = p;
    *len = length * el;
    return 0;
  }
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    size_t length, offset;
    napi_value ab;
    napi_get_dataview_info(env, v, &length, data, &ab, &offset);
    *len = length;
    return 0;
  }
  if (napi_is_arraybuffer(env, v, &is) == napi_ok && is) {
    napi_get_arraybuffer_info(env, v, data, len);
    return 0;
  }
  napi_throw_type_error(env, NULL, "expected a TypedArray, DataView or ArrayBuffer");
  return -1;
}

int arg_string(napi_env env, napi_value v, char *buf, size_t cap) {
  size_t n;
  if (napi_get_value_string_utf8(env, v, buf, cap, &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a string");
    return -1;
  }
  if (n + 1 >= cap) {
    napi_throw_range_error(env, NULL, "string too long");
    return -1;
  }
  return 0;
}

napi_value ret_i32(napi_env env, int32_t v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

napi_value ret_i64(napi_env env, int64_t v) {
  napi_value r;
  napi_create_int64(env, v, &r);
  return r;
}

napi_value ret_undefined(napi_env env) {
  napi_value r;
  napi_get_undefined(env, &r);
  return r;
}

void export_all(napi_env env, napi_value exports, const export_entry *e) {
  for (; e->name; e++) {
    napi_value fn;
    napi_create_function(env, e->name, NAPI_AUTO_LENGTH, e->fn, NULL, &fn);
    napi_set_named_property(env, exports, e->name, fn);
  }
}

static napi_value init(napi_env env, napi_value exports) {
  memfile_register(env, exports);
  ptrace_register(env, exports);
  watcher_register(env, exports);
  hostio_register(env, exports);
  uvpoll_register(env, exports);
  hostio_register_extra(env, exports);
  hostio_register_random(env, exports);
  hostfs_register(env, exports);
  confine_register(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
