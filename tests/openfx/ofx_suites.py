"""The OpenFX structs and suites as ctypes types: OfxHost, OfxPlugin and each suite's function
table in the standard's member order (ofxCore.h, ofxProperty.h, ofxImageEffect.h, ofxParam.h,
ofxMemory.h, ofxMultiThread.h, ofxMessage.h)."""

from __future__ import annotations

import ctypes as C

P, S, INT, D = C.c_void_p, C.c_char_p, C.c_int, C.c_double
FN = C.CFUNCTYPE


class OfxHostStruct(C.Structure):
    _fields_ = [("host", P), ("fetchSuite", FN(P, P, S, INT))]


class OfxPluginStruct(C.Structure):
    _fields_ = [
        ("pluginApi", S),
        ("apiVersion", INT),
        ("pluginIdentifier", S),
        ("pluginVersionMajor", C.c_uint),
        ("pluginVersionMinor", C.c_uint),
        ("setHost", FN(None, C.POINTER(OfxHostStruct))),
        ("mainEntry", FN(INT, S, P, P, P)),
    ]


# Suites in the standard's member order; members this host does not serve answer unsupported.
UNSUPPORTED = FN(INT)
PROPERTY_SUITE = [
    ("propSetPointer", FN(INT, P, S, INT, P)),
    ("propSetString", FN(INT, P, S, INT, S)),
    ("propSetDouble", FN(INT, P, S, INT, D)),
    ("propSetInt", FN(INT, P, S, INT, INT)),
    ("propSetPointerN", FN(INT, P, S, INT, C.POINTER(P))),
    ("propSetStringN", FN(INT, P, S, INT, C.POINTER(S))),
    ("propSetDoubleN", FN(INT, P, S, INT, C.POINTER(D))),
    ("propSetIntN", FN(INT, P, S, INT, C.POINTER(INT))),
    ("propGetPointer", FN(INT, P, S, INT, C.POINTER(P))),
    ("propGetString", FN(INT, P, S, INT, C.POINTER(P))),
    ("propGetDouble", FN(INT, P, S, INT, C.POINTER(D))),
    ("propGetInt", FN(INT, P, S, INT, C.POINTER(INT))),
    ("propGetPointerN", FN(INT, P, S, INT, C.POINTER(P))),
    ("propGetStringN", FN(INT, P, S, INT, C.POINTER(P))),
    ("propGetDoubleN", FN(INT, P, S, INT, C.POINTER(D))),
    ("propGetIntN", FN(INT, P, S, INT, C.POINTER(INT))),
    ("propReset", FN(INT, P, S)),
    ("propGetDimension", FN(INT, P, S, C.POINTER(INT))),
]
IMAGE_EFFECT_SUITE = [
    ("getPropertySet", FN(INT, P, C.POINTER(P))),
    ("getParamSet", FN(INT, P, C.POINTER(P))),
    ("clipDefine", FN(INT, P, S, C.POINTER(P))),
    ("clipGetHandle", FN(INT, P, S, C.POINTER(P), C.POINTER(P))),
    ("clipGetPropertySet", FN(INT, P, C.POINTER(P))),
    ("clipGetImage", FN(INT, P, D, P, C.POINTER(P))),
    ("clipReleaseImage", FN(INT, P)),
    ("clipGetRegionOfDefinition", FN(INT, P, D, C.POINTER(D))),
    ("abort", FN(INT, P)),
    ("imageMemoryAlloc", UNSUPPORTED),
    ("imageMemoryFree", UNSUPPORTED),
    ("imageMemoryLock", UNSUPPORTED),
    ("imageMemoryUnlock", UNSUPPORTED),
]
# paramGetValue/AtTime are variadic; on x86-64 System V a pointer after the fixed arguments
# arrives where a fixed pointer argument would, so they are served with fixed signatures.
PARAMETER_SUITE = [
    ("paramDefine", FN(INT, P, S, S, C.POINTER(P))),
    ("paramGetHandle", FN(INT, P, S, C.POINTER(P), C.POINTER(P))),
    ("paramSetGetPropertySet", FN(INT, P, C.POINTER(P))),
    ("paramGetPropertySet", FN(INT, P, C.POINTER(P))),
    ("paramGetValue", FN(INT, P, P)),
    ("paramGetValueAtTime", FN(INT, P, D, P)),
] + [
    (name, UNSUPPORTED)
    for name in (
        "paramGetDerivative",
        "paramGetIntegral",
        "paramSetValue",
        "paramSetValueAtTime",
        "paramGetNumKeys",
        "paramGetKeyTime",
        "paramGetKeyIndex",
        "paramDeleteKey",
        "paramDeleteAllKeys",
        "paramCopy",
        "paramEditBegin",
        "paramEditEnd",
    )
]
# paramSetValue (variadic too) serves integer parameters: the effect's Refresh count.
_AT = [name for name, _ in PARAMETER_SUITE].index("paramSetValue")
PARAMETER_SUITE[_AT] = ("paramSetValue", FN(INT, P, INT))
MEMORY_SUITE = [("memoryAlloc", FN(INT, P, C.c_size_t, C.POINTER(P))), ("memoryFree", FN(INT, P))]
MULTITHREAD_SUITE = [
    ("multiThread", UNSUPPORTED),
    ("multiThreadNumCPUs", FN(INT, C.POINTER(C.c_uint))),
    ("multiThreadIndex", FN(INT, C.POINTER(C.c_uint))),
    ("multiThreadIsSpawnedThread", FN(INT)),
    ("mutexCreate", FN(INT, C.POINTER(P), INT)),
    ("mutexDestroy", FN(INT, P)),
    ("mutexLock", FN(INT, P)),
    ("mutexUnLock", FN(INT, P)),
    ("mutexTryLock", FN(INT, P)),
]
MESSAGE_SUITE_V2 = [
    ("message", FN(INT, P, S, S, S, S)),
    ("setPersistentMessage", FN(INT, P, S, S, S, S)),
    ("clearPersistentMessage", FN(INT, P)),
]


def suite_struct(name: str, members: list) -> type[C.Structure]:
    return type(name, (C.Structure,), {"_fields_": members})
