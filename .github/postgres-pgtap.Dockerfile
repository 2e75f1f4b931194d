# The tests' PostgreSQL on GitHub's runners, where Docker Hub is reachable: the official image plus
# pgTAP for the DBA tests in sql/tests. (Offline, .ci/build-pg-image.sh builds the same from
# Debian's archive.)
FROM postgres:16
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-16-pgtap \
 && rm -rf /var/lib/apt/lists/*
