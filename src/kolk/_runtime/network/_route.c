/* kolk._runtime.network._route: a key_by batch split into its channels in one C pass.
 *
 * The optional native half of HashRecordWriter.emit (writer.py holds the contract and the
 * pure-Python path, which gives the same result). Measured with benchmarks/bench_instructions.py
 * on W2 at parallelism 2 in one process: what routing adds to parallelism 1's work went from
 * about 1,500 to about 470 instructions per record (untracking included).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* A record that is a tuple of atomic values (None, bool, int, float, str, or tuples the
 * collector no longer tracks) can never be part of a reference cycle: untrack it now, as
 * CPython's collector does the first time it meets one (_PyTuple_MaybeUntrack). Records wait
 * in buffers across collections; the collector would otherwise walk every one of them. */
static void
untrack_if_atomic(PyObject *record)
{
    if (!PyTuple_CheckExact(record) || !PyObject_GC_IsTracked(record)) {
        return;
    }
    const Py_ssize_t n = PyTuple_GET_SIZE(record);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(record, i);
        if (item == Py_None || PyUnicode_CheckExact(item) || PyLong_CheckExact(item) ||
            PyFloat_CheckExact(item) || PyBool_Check(item)) {
            continue;
        }
        if (PyTuple_CheckExact(item) && !PyObject_GC_IsTracked(item)) {
            continue;
        }
        return;
    }
    PyObject_GC_UnTrack(record);
}

PyDoc_STRVAR(split_doc,
"split(records, keys, timestamps, cache, channel_of_key_group, num_channels)\n"
"\n"
"Splits a batch by key group, keeping the records' order within each channel.\n"
"\n"
"records, keys: lists of the same length; timestamps: such a list or None.\n"
"cache: dict of exact-str key -> key group; channel_of_key_group: list of int.\n"
"Returns a list of num_channels entries, each None (no record) or a tuple\n"
"(records, keys, key_groups, timestamps or None); or None when some key is not\n"
"an exact str or not in the cache (the caller then assigns key groups itself).\n"
"Records that are tuples of atomic values are untracked by the garbage\n"
"collector, as its first collection would (also those met before a None).");

static PyObject *
split(PyObject *module, PyObject *args)
{
    PyObject *records, *keys, *timestamps, *cache, *table;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "O!O!OO!O!n:split", &PyList_Type, &records, &PyList_Type, &keys,
                          &timestamps, &PyDict_Type, &cache, &PyList_Type, &table, &n)) {
        return NULL;
    }
    const Py_ssize_t len = PyList_GET_SIZE(records);
    const int has_ts = timestamps != Py_None;
    if (PyList_GET_SIZE(keys) != len || n < 1 ||
        (has_ts && (!PyList_Check(timestamps) || PyList_GET_SIZE(timestamps) != len))) {
        PyErr_SetString(PyExc_ValueError,
                        "split: records, keys and timestamps must be lists of one length");
        return NULL;
    }
    const Py_ssize_t table_len = PyList_GET_SIZE(table);
    /* Per record: its channel and its key group (a borrowed reference: the cache is not
     * changed while this runs, no Python code runs for exact-str keys). Per channel: a count. */
    Py_ssize_t *channel = PyMem_Malloc(sizeof(Py_ssize_t) * (len + n));
    PyObject **groups = PyMem_Malloc(sizeof(PyObject *) * (len > 0 ? len : 1));
    PyObject *result = NULL;
    if (channel == NULL || groups == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t *counts = channel + len;
    for (Py_ssize_t c = 0; c < n; c++) {
        counts[c] = 0;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        PyObject *key = PyList_GET_ITEM(keys, i);
        if (!PyUnicode_CheckExact(key)) {
            goto not_all_cached;
        }
        PyObject *group = PyDict_GetItemWithError(cache, key);
        if (group == NULL) {
            if (PyErr_Occurred()) {
                goto done;
            }
            goto not_all_cached;
        }
        const Py_ssize_t key_group = PyLong_AsSsize_t(group);
        if (key_group < 0 || key_group >= table_len) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_ValueError, "split: key group %zd out of range", key_group);
            }
            goto done;
        }
        const Py_ssize_t c = PyLong_AsSsize_t(PyList_GET_ITEM(table, key_group));
        if (c < 0 || c >= n) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_ValueError, "split: channel %zd out of range", c);
            }
            goto done;
        }
        channel[i] = c;
        groups[i] = group;
        counts[c]++;
        /* Harmless if the batch is declined later: the collector would untrack it too. */
        untrack_if_atomic(PyList_GET_ITEM(records, i));
    }
    result = PyList_New(n);
    if (result == NULL) {
        goto done;
    }
    const Py_ssize_t width = has_ts ? 4 : 3;
    for (Py_ssize_t c = 0; c < n; c++) {
        if (counts[c] == 0) {
            PyList_SET_ITEM(result, c, Py_NewRef(Py_None));
            continue;
        }
        PyObject *entry = PyTuple_New(4);
        if (entry == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, c, entry);
        for (Py_ssize_t w = 0; w < width; w++) {
            PyObject *column = PyList_New(counts[c]);
            if (column == NULL) {
                Py_CLEAR(result);
                goto done;
            }
            PyTuple_SET_ITEM(entry, w, column);
        }
        if (!has_ts) {
            PyTuple_SET_ITEM(entry, 3, Py_NewRef(Py_None));
        }
        counts[c] = 0; /* from here on: the next free position */
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        PyObject *entry = PyList_GET_ITEM(result, channel[i]);
        const Py_ssize_t at = counts[channel[i]]++;
        PyList_SET_ITEM(PyTuple_GET_ITEM(entry, 0), at, Py_NewRef(PyList_GET_ITEM(records, i)));
        PyList_SET_ITEM(PyTuple_GET_ITEM(entry, 1), at, Py_NewRef(PyList_GET_ITEM(keys, i)));
        PyList_SET_ITEM(PyTuple_GET_ITEM(entry, 2), at, Py_NewRef(groups[i]));
        if (has_ts) {
            PyList_SET_ITEM(PyTuple_GET_ITEM(entry, 3), at,
                            Py_NewRef(PyList_GET_ITEM(timestamps, i)));
        }
    }
    goto done;
not_all_cached:
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(channel);
    PyMem_Free(groups);
    return result;
}

static PyMethodDef route_methods[] = {
    {"split", split, METH_VARARGS, split_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef route_module = {
    PyModuleDef_HEAD_INIT,
    "kolk._runtime.network._route",
    "A key_by batch split into its channels in one C pass (optional; see writer.py).",
    0,
    route_methods,
};

PyMODINIT_FUNC
PyInit__route(void)
{
    return PyModuleDef_Init(&route_module);
}
