/* kolk._runtime.network._flat: buffers of flat records as bytes, in C.
 *
 * The optional native half of BufferCodec's path for flat declared types (serialization.py
 * holds the contract). A flat value is None, a bool, an int that fits in 64 bits, a float, a
 * str, or a tuple of flat values (nested at most MAX_DEPTH deep), each of exactly that type.
 *
 * Body: has_timestamps:u8, count:u32, the records, then (if has_timestamps) count timestamps.
 * Each value is a tag byte and its data, numbers in the machine's byte order (both ends of a
 * channel run on one machine):
 *   'N' None, 'T' True, 'F' False, 'i' int64, 'd' float64,
 *   's' length:u32 then UTF-8 bytes, 't' arity:u32 then the items.
 *
 * Decoded tuples are untracked by the garbage collector, as CPython itself untracks a tuple
 * of atomic values the first time a collection meets it: they cannot be part of a cycle, and
 * the collector then never walks the records of a buffer waiting in a queue.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 32

typedef struct {
    char *data;
    Py_ssize_t size;
    Py_ssize_t capacity;
} Writer;

static int
reserve(Writer *w, Py_ssize_t extra)
{
    if (w->size + extra <= w->capacity) {
        return 0;
    }
    Py_ssize_t capacity = w->capacity * 2;
    if (capacity < w->size + extra) {
        capacity = w->size + extra;
    }
    char *data = PyMem_Realloc(w->data, capacity);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    w->data = data;
    w->capacity = capacity;
    return 0;
}

static int
put(Writer *w, const void *bytes, Py_ssize_t n)
{
    if (reserve(w, n) < 0) {
        return -1;
    }
    memcpy(w->data + w->size, bytes, n);
    w->size += n;
    return 0;
}

static int
put_tag_u32(Writer *w, char tag, Py_ssize_t n)
{
    if (n > UINT32_MAX) {
        return 1;
    }
    uint32_t v = (uint32_t)n;
    if (reserve(w, 5) < 0) {
        return -1;
    }
    w->data[w->size] = tag;
    memcpy(w->data + w->size + 1, &v, 4);
    w->size += 5;
    return 0;
}

/* A tag and 8 bytes (an int64 or a double). */
static int
put_tag_8(Writer *w, char tag, const void *bytes)
{
    if (reserve(w, 9) < 0) {
        return -1;
    }
    w->data[w->size] = tag;
    memcpy(w->data + w->size + 1, bytes, 8);
    w->size += 9;
    return 0;
}

/* 0: written; 1: not flat (the caller falls back); -1: error set. */
static int
put_value(Writer *w, PyObject *v, int depth)
{
    if (v == Py_None) {
        return put(w, "N", 1);
    }
    if (v == Py_True) {
        return put(w, "T", 1);
    }
    if (v == Py_False) {
        return put(w, "F", 1);
    }
    if (PyLong_CheckExact(v)) {
        int overflow = 0;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (overflow) {
            return 1;
        }
        if (x == -1 && PyErr_Occurred()) {
            return -1;
        }
        int64_t x64 = (int64_t)x;
        return put_tag_8(w, 'i', &x64);
    }
    if (PyFloat_CheckExact(v)) {
        double x = PyFloat_AS_DOUBLE(v);
        return put_tag_8(w, 'd', &x);
    }
    if (PyUnicode_CheckExact(v)) {
        Py_ssize_t n;
        const char *utf8 = PyUnicode_AsUTF8AndSize(v, &n);
        if (utf8 == NULL) {
            /* A lone surrogate: UTF-8 cannot carry it; pickle can. */
            PyErr_Clear();
            return 1;
        }
        int r = put_tag_u32(w, 's', n);
        return r != 0 ? r : put(w, utf8, n);
    }
    if (PyTuple_CheckExact(v)) {
        if (depth >= MAX_DEPTH) {
            return 1;
        }
        Py_ssize_t n = PyTuple_GET_SIZE(v);
        int r = put_tag_u32(w, 't', n);
        for (Py_ssize_t i = 0; r == 0 && i < n; i++) {
            r = put_value(w, PyTuple_GET_ITEM(v, i), depth + 1);
        }
        return r;
    }
    return 1;
}

PyDoc_STRVAR(encode_doc,
"encode(prefix, records, timestamps) -> bytes | None\n"
"\n"
"prefix, then the body of a list of flat records and their timestamps (a list of\n"
"flat values of the same length, or None); None if some value is not flat.");

static PyObject *
encode(PyObject *module, PyObject *args)
{
    Py_buffer prefix;
    PyObject *records, *timestamps;
    if (!PyArg_ParseTuple(args, "y*O!O:encode", &prefix, &PyList_Type, &records, &timestamps)) {
        return NULL;
    }
    PyObject *result = NULL;
    const Py_ssize_t count = PyList_GET_SIZE(records);
    const int has_ts = timestamps != Py_None;
    if (has_ts && (!PyList_Check(timestamps) || PyList_GET_SIZE(timestamps) != count)) {
        PyErr_SetString(PyExc_ValueError, "encode: timestamps must be None or a list as long "
                                          "as the records");
        PyBuffer_Release(&prefix);
        return NULL;
    }
    Writer w = {NULL, 0, 0};
    int r = reserve(&w, prefix.len + 5 + count * 16);
    if (r == 0) {
        r = put(&w, prefix.buf, prefix.len);
    }
    if (r == 0) {
        char flag = has_ts ? 1 : 0;
        r = put(&w, &flag, 1);
    }
    if (r == 0 && count > UINT32_MAX) {
        r = 1;
    }
    if (r == 0) {
        uint32_t n = (uint32_t)count;
        r = put(&w, &n, 4);
    }
    for (Py_ssize_t i = 0; r == 0 && i < count; i++) {
        r = put_value(&w, PyList_GET_ITEM(records, i), 0);
    }
    for (Py_ssize_t i = 0; r == 0 && has_ts && i < count; i++) {
        r = put_value(&w, PyList_GET_ITEM(timestamps, i), 0);
    }
    if (r == 0) {
        result = PyBytes_FromStringAndSize(w.data, w.size);
    }
    else if (r == 1) {
        result = Py_NewRef(Py_None);
    }
    PyMem_Free(w.data);
    PyBuffer_Release(&prefix);
    return result;
}

typedef struct {
    const char *data;
    Py_ssize_t size;
    Py_ssize_t at;
} Reader;

static int
need(Reader *r, Py_ssize_t n)
{
    if (r->size - r->at < n) {
        PyErr_SetString(PyExc_ValueError, "decode: the payload ends inside a value");
        return -1;
    }
    return 0;
}

static PyObject *
get_value(Reader *r, int depth)
{
    if (need(r, 1) < 0) {
        return NULL;
    }
    const char tag = r->data[r->at++];
    switch (tag) {
    case 'N':
        return Py_NewRef(Py_None);
    case 'T':
        return Py_NewRef(Py_True);
    case 'F':
        return Py_NewRef(Py_False);
    case 'i': {
        int64_t x;
        if (need(r, 8) < 0) {
            return NULL;
        }
        memcpy(&x, r->data + r->at, 8);
        r->at += 8;
        return PyLong_FromLongLong((long long)x);
    }
    case 'd': {
        double x;
        if (need(r, 8) < 0) {
            return NULL;
        }
        memcpy(&x, r->data + r->at, 8);
        r->at += 8;
        return PyFloat_FromDouble(x);
    }
    case 's': {
        uint32_t n;
        if (need(r, 4) < 0) {
            return NULL;
        }
        memcpy(&n, r->data + r->at, 4);
        r->at += 4;
        if (need(r, n) < 0) {
            return NULL;
        }
        PyObject *s = PyUnicode_DecodeUTF8(r->data + r->at, n, "strict");
        r->at += n;
        return s;
    }
    case 't': {
        uint32_t n;
        if (depth >= MAX_DEPTH) {
            PyErr_SetString(PyExc_ValueError, "decode: tuples nested too deep");
            return NULL;
        }
        if (need(r, 4) < 0) {
            return NULL;
        }
        memcpy(&n, r->data + r->at, 4);
        r->at += 4;
        if (need(r, n) < 0) { /* every item takes at least one byte */
            return NULL;
        }
        PyObject *t = PyTuple_New(n);
        if (t == NULL) {
            return NULL;
        }
        for (uint32_t i = 0; i < n; i++) {
            PyObject *item = get_value(r, depth + 1);
            if (item == NULL) {
                Py_DECREF(t);
                return NULL;
            }
            PyTuple_SET_ITEM(t, i, item);
        }
        if (n > 0) {
            /* Atomic items only (nested tuples are untracked too): never in a cycle. */
            PyObject_GC_UnTrack(t);
        }
        return t;
    }
    default:
        PyErr_Format(PyExc_ValueError, "decode: unknown tag %d", (int)(unsigned char)tag);
        return NULL;
    }
}

static PyObject *
get_list(Reader *r, uint32_t count)
{
    PyObject *list = PyList_New(count);
    if (list == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < count; i++) {
        PyObject *v = get_value(r, 0);
        if (v == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, v);
    }
    return list;
}

PyDoc_STRVAR(decode_doc,
"decode(body) -> (records, timestamps or None)\n"
"\n"
"The records and timestamps of a body made by encode (after its prefix).");

static PyObject *
decode(PyObject *module, PyObject *args)
{
    Py_buffer body;
    if (!PyArg_ParseTuple(args, "y*:decode", &body)) {
        return NULL;
    }
    Reader r = {body.buf, body.len, 0};
    PyObject *records = NULL, *timestamps = NULL, *result = NULL;
    uint32_t count;
    if (need(&r, 5) < 0) {
        goto done;
    }
    const int has_ts = r.data[0] != 0;
    memcpy(&count, r.data + 1, 4);
    r.at = 5;
    if (need(&r, count) < 0) {
        goto done;
    }
    records = get_list(&r, count);
    if (records == NULL) {
        goto done;
    }
    timestamps = has_ts ? get_list(&r, count) : Py_NewRef(Py_None);
    if (timestamps == NULL) {
        goto done;
    }
    if (r.at != r.size) {
        PyErr_SetString(PyExc_ValueError, "decode: bytes left after the last value");
        goto done;
    }
    result = PyTuple_Pack(2, records, timestamps);
done:
    Py_XDECREF(records);
    Py_XDECREF(timestamps);
    PyBuffer_Release(&body);
    return result;
}

static PyMethodDef flat_methods[] = {
    {"encode", encode, METH_VARARGS, encode_doc},
    {"decode", decode, METH_VARARGS, decode_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef flat_module = {
    PyModuleDef_HEAD_INIT,
    "kolk._runtime.network._flat",
    "Buffers of flat records as bytes, in C (optional; see serialization.py).",
    0,
    flat_methods,
};

PyMODINIT_FUNC
PyInit__flat(void)
{
    return PyModuleDef_Init(&flat_module);
}
