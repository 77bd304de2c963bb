// deploy/lint/lint.mjs — the checks of deploy/lint.sh that need a program: Kubernetes manifests
// against the Kubernetes and KEDA schemas, and the rules that tie the deploy files together.
//
//   node lint.mjs k8s DEPLOY_DIR        every object of DEPLOY_DIR/k8s/*.yaml against its schema
//                                       (kubernetes-models, @kubernetes-models/keda: the ajv
//                                       validators generated from the published OpenAPI
//                                       documents), plus references between objects and
//                                       kustomization.yaml's resource list
//   node lint.mjs policy DEPLOY_DIR     what the schemas cannot know: one grace period everywhere,
//                                       OMP_THREAD_LIMIT=1 wherever sohoa runs, ports only on
//                                       127.0.0.1 in compose, hardened systemd units, a non-root
//                                       runtime stage without -dev packages, the queue names
//   node lint.mjs runtime-packages DEPLOY_DIR
//                                       prints the runtime stage's apt packages, one a line
//
// Prints one line per problem ("FILE: message") and exits 1 when there is any.
// Runs from its own folder's node_modules (npm ci), whatever DEPLOY_DIR is, so that the tests can
// point it at a deliberately broken copy.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, basename } from "node:path";
import { parseAllDocuments } from "yaml";

const GRACE_SECONDS = 120; // SIGTERM, then this long to finish or requeue in-flight pages
const QUEUES = ["sohoa.bulk", "sohoa.interactive"];

const problems = [];
const problem = (file, msg) => problems.push(`${file}: ${msg}`);

function readYamlDocs(path) {
    const docs = parseAllDocuments(readFileSync(path, "utf8"), { merge: true, uniqueKeys: true });
    const out = [];
    for (const d of docs) {
        for (const e of d.errors) problem(path, `YAML: ${e.message}`);
        const v = d.toJS();
        if (v !== null && v !== undefined) out.push(v);
    }
    return out;
}

// ---- Kubernetes ---------------------------------------------------------------------------------

function modelModule(apiVersion) {
    if (apiVersion === "v1") return "kubernetes-models/v1";
    if (/^keda\.sh\//.test(apiVersion)) return `@kubernetes-models/keda/${apiVersion}`;
    return `kubernetes-models/${apiVersion}`;
}

async function modelClass(apiVersion, kind) {
    try {
        const mod = await import(modelModule(apiVersion));
        return mod[kind] || null;
    } catch {
        return null;
    }
}

function labelsMatch(selector, labels) {
    return Object.entries(selector || {}).every(([k, v]) => labels && labels[k] === v);
}

function podSpecs(objs) {
    return objs
        .filter((o) => o.kind === "Deployment")
        .map((o) => ({ name: o.metadata.name, file: o.__file, labels: o.spec?.template?.metadata?.labels, spec: o.spec?.template?.spec }));
}

async function lintK8s(dir) {
    const k8s = join(dir, "k8s");
    const files = readdirSync(k8s).filter((f) => f.endsWith(".yaml")).sort();
    const objs = [];
    for (const f of files) {
        if (f === "kustomization.yaml") continue;
        for (const o of readYamlDocs(join(k8s, f))) {
            o.__file = `k8s/${f}`;
            objs.push(o);
        }
    }
    if (objs.length === 0) problem("k8s", "no Kubernetes objects found");

    for (const o of objs) {
        const where = `${o.__file} ${o.kind}/${o.metadata?.name}`;
        const Cls = await modelClass(o.apiVersion, o.kind);
        if (!Cls) {
            problem(where, `no schema for apiVersion ${o.apiVersion} kind ${o.kind}`);
            continue;
        }
        const { __file, ...data } = o;
        try {
            new Cls(data).validate();
        } catch (e) {
            problem(where, `schema: ${e.message}`);
        }
        if (o.kind !== "Namespace" && o.metadata?.namespace !== "sohoa")
            problem(where, "metadata.namespace must be sohoa");
    }

    // references between objects
    const byKind = (k) => objs.filter((o) => o.kind === k);
    const named = (k, n) => byKind(k).find((o) => o.metadata?.name === n);
    const pods = podSpecs(objs);
    for (const d of byKind("Deployment")) {
        if (!labelsMatch(d.spec?.selector?.matchLabels, d.spec?.template?.metadata?.labels))
            problem(`${d.__file} Deployment/${d.metadata.name}`, "selector does not match the pod template's labels");
    }
    for (const p of pods) {
        for (const c of p.spec?.containers || []) {
            const where = `${p.file} ${p.name}/${c.name}`;
            for (const ef of c.envFrom || []) {
                if (ef.configMapRef && !named("ConfigMap", ef.configMapRef.name))
                    problem(where, `envFrom names ConfigMap ${ef.configMapRef.name}, which no file defines`);
                if (ef.secretRef && !named("Secret", ef.secretRef.name))
                    problem(where, `envFrom names Secret ${ef.secretRef.name}, which no file defines`);
            }
            const portNames = new Set((c.ports || []).map((x) => x.name));
            for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
                const port = c[probe]?.httpGet?.port;
                if (typeof port === "string" && !portNames.has(port))
                    problem(where, `${probe} uses port ${port}, which the container does not name`);
            }
        }
    }
    for (const s of byKind("Service")) {
        const where = `${s.__file} Service/${s.metadata.name}`;
        const target = pods.find((p) => labelsMatch(s.spec?.selector, p.labels));
        if (!target) {
            problem(where, "selector matches no Deployment's pods");
            continue;
        }
        const names = new Set(target.spec.containers.flatMap((c) => (c.ports || []).map((x) => x.name)));
        for (const port of s.spec?.ports || [])
            if (typeof port.targetPort === "string" && !names.has(port.targetPort))
                problem(where, `targetPort ${port.targetPort} is not a port of ${target.name}`);
    }
    for (const pdb of byKind("PodDisruptionBudget")) {
        if (!pods.some((p) => labelsMatch(pdb.spec?.selector?.matchLabels, p.labels)))
            problem(`${pdb.__file} PodDisruptionBudget/${pdb.metadata.name}`, "selector matches no Deployment's pods");
    }
    const queues = new Set();
    for (const so of byKind("ScaledObject")) {
        const where = `${so.__file} ScaledObject/${so.metadata.name}`;
        const ref = so.spec?.scaleTargetRef;
        if (!ref || !named(ref.kind || "Deployment", ref.name)) problem(where, `scaleTargetRef ${ref?.name} names no Deployment`);
        for (const t of so.spec?.triggers || []) {
            if (t.type !== "rabbitmq") continue;
            queues.add(t.metadata?.queueName);
            const auth = t.authenticationRef && named("TriggerAuthentication", t.authenticationRef.name);
            if (!auth) {
                problem(where, `trigger ${t.name}: authenticationRef names no TriggerAuthentication`);
                continue;
            }
            for (const s of auth.spec?.secretTargetRef || []) {
                const secret = named("Secret", s.name);
                if (!secret || !(s.key in { ...(secret.data || {}), ...(secret.stringData || {}) }))
                    problem(`${auth.__file} TriggerAuthentication/${auth.metadata.name}`, `secret ${s.name} has no key ${s.key}`);
            }
        }
    }
    checkQueueNames(dir, queues);

    // kustomization.yaml: lists every manifest but the example secret, and only files that exist
    const kfile = join(k8s, "kustomization.yaml");
    if (!existsSync(kfile)) problem("k8s", "kustomization.yaml is missing");
    else {
        const [k] = readYamlDocs(kfile);
        const listed = new Set(k?.resources || []);
        for (const r of listed) if (!existsSync(join(k8s, r))) problem("k8s/kustomization.yaml", `resource ${r} does not exist`);
        for (const f of files)
            if (f !== "kustomization.yaml" && !f.includes(".example.") && !listed.has(f))
                problem("k8s/kustomization.yaml", `${f} is not listed in resources`);
        for (const r of listed) if (r.includes(".example.")) problem("k8s/kustomization.yaml", `${r} is an example and must not be applied`);
    }
}

function checkQueueNames(dir, queues) {
    const want = [...QUEUES].sort().join(", ");
    const got = [...queues].sort().join(", ");
    if (got !== want) problem("k8s/keda.yaml", `scales on queues [${got}], expected [${want}]`);
    const qmd = join(dir, "..", "workers", "QUEUE.md");
    if (existsSync(qmd)) {
        const text = readFileSync(qmd, "utf8");
        for (const q of queues) if (!text.includes(q)) problem("k8s/keda.yaml", `queue ${q} is not in workers/runtime/QUEUE.md`);
    }
}

// ---- policy across compose, k8s, systemd and the Dockerfile -------------------------------------

function parseSeconds(v) {
    const m = /^(\d+)(s|m)?$/.exec(String(v));
    return m ? Number(m[1]) * (m[2] === "m" ? 60 : 1) : NaN;
}

function lintCompose(dir) {
    const file = "compose/compose.yaml";
    const [c] = readYamlDocs(join(dir, file));
    const services = c?.services || {};
    for (const [name, s] of Object.entries(services)) {
        for (const p of s.ports || []) {
            const text = typeof p === "string" ? p : `${p.host_ip || ""}:${p.published}`;
            if (!text.startsWith("127.0.0.1:")) problem(file, `service ${name} publishes ${text} beyond 127.0.0.1`);
        }
        const sohoa = (s.image || "").includes("sohoa") || s.build;
        if (!sohoa) continue;
        if (String(s.environment?.OMP_THREAD_LIMIT) !== "1") problem(file, `service ${name} runs sohoa without OMP_THREAD_LIMIT=1`);
        if (parseSeconds(s.stop_grace_period) !== GRACE_SECONDS)
            problem(file, `service ${name}: stop_grace_period ${s.stop_grace_period}, expected ${GRACE_SECONDS}s`);
        for (const [dep, cond] of Object.entries(s.depends_on || {})) {
            if (!services[dep]) problem(file, `service ${name} depends on unknown service ${dep}`);
            else if (cond?.condition === "service_healthy" && !services[dep].healthcheck)
                problem(file, `service ${name} waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
        }
    }
    if (!services.workers?.deploy?.replicas) problem(file, "service workers has no deploy.replicas");
    if (!services.api?.healthcheck) problem(file, "service api has no healthcheck");
}

function lintK8sPolicy(dir) {
    const docs = readdirSync(join(dir, "k8s"))
        .filter((f) => f.endsWith(".yaml"))
        .flatMap((f) => readYamlDocs(join(dir, "k8s", f)).map((o) => ({ ...o, __file: `k8s/${f}` })));
    const cm = docs.find((o) => o.kind === "ConfigMap");
    for (const d of docs.filter((o) => o.kind === "Deployment")) {
        const spec = d.spec?.template?.spec || {};
        const where = `${d.__file} Deployment/${d.metadata?.name}`;
        if (spec.terminationGracePeriodSeconds !== GRACE_SECONDS)
            problem(where, `terminationGracePeriodSeconds ${spec.terminationGracePeriodSeconds}, expected ${GRACE_SECONDS}`);
        if (spec.securityContext?.runAsNonRoot !== true) problem(where, "pods must set runAsNonRoot: true");
        for (const c of spec.containers || []) {
            const env = Object.fromEntries((c.env || []).map((e) => [e.name, e.value]));
            const fromCm = (c.envFrom || []).some((e) => e.configMapRef?.name === cm?.metadata?.name) ? cm.data || {} : {};
            if (String(env.OMP_THREAD_LIMIT ?? fromCm.OMP_THREAD_LIMIT) !== "1")
                problem(where, `container ${c.name} runs without OMP_THREAD_LIMIT=1`);
            if (!c.resources?.requests?.cpu || !c.resources?.limits?.memory)
                problem(where, `container ${c.name} needs a CPU request and a memory limit`);
        }
    }
}

function unitSettings(text) {
    const kv = {};
    for (const line of text.split("\n")) {
        const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
        if (m) (kv[m[1]] ||= []).push(m[2]);
    }
    return kv;
}

function lintSystemd(dir) {
    const sd = join(dir, "systemd");
    const units = readdirSync(sd).filter((f) => f.endsWith(".service"));
    if (!units.some((u) => u.endsWith("@.service"))) problem("systemd", "no template unit (sohoa-worker@.service)");
    const required = {
        KillSignal: "SIGTERM",
        TimeoutStopSec: String(GRACE_SECONDS),
        NoNewPrivileges: "yes",
        ProtectSystem: "strict",
        PrivateTmp: "yes",
        ProtectHome: "yes",
    };
    for (const u of units) {
        const kv = unitSettings(readFileSync(join(sd, u), "utf8"));
        for (const [k, v] of Object.entries(required))
            if (!(kv[k] || []).includes(v)) problem(`systemd/${u}`, `needs ${k}=${v}`);
        if (!(kv.Environment || []).includes("OMP_THREAD_LIMIT=1")) problem(`systemd/${u}`, "needs Environment=OMP_THREAD_LIMIT=1");
        if ((kv.User || []).includes("root")) problem(`systemd/${u}`, "must not run as root");
    }
}

// The Dockerfile, split into stages of [instruction, arguments] (continuation lines joined).
function dockerStages(dir) {
    const text = readFileSync(join(dir, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
    const stages = [];
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (!line || line.startsWith("#")) continue;
        const m = /^(\S+)\s*(.*)$/.exec(line);
        const ins = m[1].toUpperCase();
        if (ins === "FROM") stages.push({ from: m[2], ins: [] });
        else if (stages.length) stages.at(-1).ins.push([ins, m[2]]);
    }
    return stages;
}

function aptPackages(stage) {
    const pk = [];
    for (const [ins, args] of stage.ins) {
        if (ins !== "RUN") continue;
        for (const cmd of args.split(/&&|;/)) {
            const m = /apt-get\s+install\s+(.*)$/.exec(cmd.trim());
            if (m) pk.push(...m[1].split(/\s+/).filter((w) => w && !w.startsWith("-")));
        }
    }
    return pk;
}

function lintDockerfile(dir) {
    const file = "Dockerfile";
    const stages = dockerStages(dir);
    if (stages.length < 2) problem(file, "expected a multi-stage build (build, runtime)");
    for (const s of stages)
        if (!/^debian:12-slim(\s|$)/.test(s.from)) problem(file, `stage FROM ${s.from}: expected debian:12-slim`);
    const rt = stages.at(-1);
    if (!rt) return;
    const last = (ins) => rt.ins.filter(([i]) => i === ins).at(-1)?.[1];
    const user = last("USER");
    if (!user || /^(root|0)(:|$)/.test(user)) problem(file, "the runtime stage must end as a non-root USER");
    const env = rt.ins.filter(([i]) => i === "ENV").map(([, a]) => a).join(" ");
    if (!/\bOMP_THREAD_LIMIT=1\b/.test(env)) problem(file, "the runtime stage must set ENV OMP_THREAD_LIMIT=1");
    if (!/sohoa"?\s*\]?$/.test(last("ENTRYPOINT") || "")) problem(file, "ENTRYPOINT must be sohoa");
    if (!rt.ins.some(([i, a]) => i === "COPY" && /--from=/.test(a))) problem(file, "the runtime stage copies nothing from the build stage");
    const pk = aptPackages(rt);
    if (pk.length === 0) problem(file, "the runtime stage installs no packages");
    for (const p of pk) if (/-dev$/.test(p) || p === "build-essential") problem(file, `runtime stage installs ${p}`);
    if (!stages[0].ins.some(([i, a]) => i === "RUN" && a.includes("deploy/install.sh")))
        problem(file, "the build stage must install with deploy/install.sh");
    if (!stages[0].ins.some(([i, a]) => i === "RUN" && a.includes("deploy/build.sh")))
        problem(file, "the build stage must build with deploy/build.sh");
}

// ---- main ---------------------------------------------------------------------------------------

const [cmd, dir] = process.argv.slice(2);
if (!dir || !existsSync(dir)) {
    console.error("usage: node lint.mjs k8s|policy|runtime-packages DEPLOY_DIR");
    process.exit(64);
}
try {
    if (cmd === "k8s") await lintK8s(dir);
    else if (cmd === "policy") {
        lintCompose(dir);
        lintK8sPolicy(dir);
        lintSystemd(dir);
        lintDockerfile(dir);
    } else if (cmd === "runtime-packages") {
        const rt = dockerStages(dir).at(-1);
        if (rt) console.log(aptPackages(rt).join("\n"));
    } else {
        console.error(`unknown command ${cmd}`);
        process.exit(64);
    }
} catch (e) {
    problem(basename(dir), `${e.message}`);
}
for (const p of problems) console.log(p);
process.exit(problems.length ? 1 : 0);
