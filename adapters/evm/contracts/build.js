#!/usr/bin/env node
// build.js: compile Qiao's Solidity sources with the pinned solc-js (standard JSON, optimizer on)
// and write one artifact per contract: <out>/<Name>.json = {contractName, sourceName, abi,
// bytecode, deployedBytecode, compiler, evmVersion}.  Bytecode is never committed: the demo and
// the tests run this at start-up.
//
//   node build.js OUTDIR [--include DIR]...     (DIR: extra .sol folders, e.g. test contracts)
//
// Also a library: require('./build.js').compile(dirs) returns {Name: artifact}.
'use strict';
const fs = require('fs');
const path = require('path');

// Solidity and EVM versions are pinned.  solc 0.8.30 targets up to prague; the pinned anvil 1.7.1
// runs a later fork by default (it reports "Bpo1"), which executes prague bytecode unchanged.
const SOLC_VERSION = '0.8.30';
const EVM_VERSION = 'prague';

function loadSolc() {
    const roots = [path.resolve(__dirname, '../../..'), process.cwd()];
    for (const r of roots) {
        try {
            return require(require.resolve('solc', { paths: [r] }));
        } catch (e) { /* try the next root */ }
    }
    throw new Error('solc not found: run `./run build` (npm ci installs the pinned kit)');
}

function collectSources(dirs) {
    const sources = {};
    dirs.forEach((dir, i) => {
        for (const f of fs.readdirSync(dir).sort()) {
            if (!f.endsWith('.sol')) continue;
            // The first folder's files keep bare names so "./X.sol" imports resolve; extra
            // folders get a prefix so names cannot collide.
            const key = i === 0 ? f : `extra${i}/${f}`;
            sources[key] = { content: fs.readFileSync(path.join(dir, f), 'utf8') };
        }
    });
    return sources;
}

function compile(dirs) {
    const solc = loadSolc();
    if (!solc.version().startsWith(SOLC_VERSION + '+'))
        throw new Error(`solc ${solc.version()} is not the pinned ${SOLC_VERSION}`);
    const input = {
        language: 'Solidity',
        sources: collectSources(dirs),
        settings: {
            optimizer: { enabled: true, runs: 200 },
            evmVersion: EVM_VERSION,
            outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
        },
    };
    const out = JSON.parse(solc.compile(JSON.stringify(input)));
    const problems = (out.errors || []).filter((e) => e.severity !== 'info');
    for (const e of problems) process.stderr.write(e.formattedMessage + '\n');
    if (problems.some((e) => e.severity === 'error'))
        throw new Error('solc reported errors (above)');
    if (problems.length)
        throw new Error('solc reported warnings (above); Qiao keeps its contracts warning-free');
    const artifacts = {};
    for (const [sourceName, contracts] of Object.entries(out.contracts)) {
        for (const [name, c] of Object.entries(contracts)) {
            if (artifacts[name]) throw new Error(`two contracts named ${name}`);
            artifacts[name] = {
                contractName: name,
                sourceName,
                abi: c.abi,
                bytecode: '0x' + c.evm.bytecode.object,
                deployedBytecode: '0x' + c.evm.deployedBytecode.object,
                compiler: solc.version(),
                evmVersion: EVM_VERSION,
            };
        }
    }
    return artifacts;
}

function writeArtifacts(artifacts, outDir) {
    fs.mkdirSync(outDir, { recursive: true });
    for (const [name, a] of Object.entries(artifacts)) {
        const file = path.join(outDir, name + '.json');
        const tmp = file + '.tmp';
        fs.writeFileSync(tmp, JSON.stringify(a, null, 1) + '\n');
        fs.renameSync(tmp, file); // readers never see a half-written artifact
    }
}

function main(argv) {
    const dirs = [__dirname];
    let outDir = null;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--include' && i + 1 < argv.length) dirs.push(path.resolve(argv[++i]));
        else if (!argv[i].startsWith('-') && !outDir) outDir = path.resolve(argv[i]);
        else {
            process.stderr.write('usage: node build.js OUTDIR [--include DIR]...\n');
            return 2;
        }
    }
    if (!outDir) {
        process.stderr.write('usage: node build.js OUTDIR [--include DIR]...\n');
        return 2;
    }
    try {
        const artifacts = compile(dirs);
        writeArtifacts(artifacts, outDir);
        process.stdout.write(`build.js: ${Object.keys(artifacts).length} contracts -> ${outDir}\n`);
        return 0;
    } catch (e) {
        process.stderr.write(`build.js: ${e.message}\n`);
        return 1;
    }
}

module.exports = { compile, writeArtifacts, SOLC_VERSION, EVM_VERSION };
if (require.main === module) process.exitCode = main(process.argv.slice(2));
