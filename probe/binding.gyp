{
  "targets": [
    {
      "target_name": "saker_probe",
      "sources": ["addon/probe_addon.cc", "addon/reader.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "build/bpf",
        "bpf"
      ],
      "libraries": ["-lbpf", "-lelf", "-lz"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall"]
    }
  ]
}
