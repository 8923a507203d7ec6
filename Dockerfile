# Saker's image: every command (`saker collect`, `saker evaluator`, `saker sinks`, `saker run`).
# Only the collector needs privileges (see docker-compose.yml); the other services run as an
# unprivileged user.
FROM node:20-bookworm
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev make g++ python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/saker
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
# The probe is compiled against the BTF of the host it runs on (CO-RE: vmlinux.h is generated
# from /sys/kernel/btf/vmlinux), so the collector builds it at start; the rest builds here.
RUN npm run build
RUN useradd --system --home /opt/saker saker
ENTRYPOINT ["node", "/opt/saker/dist/cli/saker.js"]
