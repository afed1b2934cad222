// fixture.js: the fixed inputs and expected constants shared with tests/unit/notary/fixture.h.
// The C unit tests assert the same hex values, so C, Solidity (through the deployed Inbox's views)
// and ethers agree byte for byte.
'use strict';
const { ethers } = require('./lib.js');

const PAYLOAD = '{"batch":"CC-2024-0117","origin":"Santos, BR","quarantine":"pass"}';
const C = {
    committeeId: '0x8e50624cb6b2e9253363c335222aa4c4d74e8c606e3197369b603ab44e033442',
    payloadHash: '0x4c2cfbe8b402ebf9d29d30d3f0de0743603aadcf3490ebda49e53c97b1506554',
    messageId: '0xf75d48ec4faf62ee9f7900697b3507767cfe0e1ac5fc922f630dc4deea964a5c',
    attestationDigest: '0x6c2548c80fcc80badd500ccb4db0cdbfcbdd46130adf55cba9eb87dbe81ab2a6',
    committeeDigest: '0xd00a9a92828cb8b285bb4f038e127ad5ae7a1d31d5cdfada354d572d7b4f9f65',
    certKeccak: '0xc89bad445ba032d05a9db6344aad9382797aeb695a6359f7485672728baa77eb',
    deliverCalldataKeccak: '0x9177a81e5e6edb52c3cd855fa8af2746698852c7da7e8d591848539d400599d1',
    rotateCalldataKeccak: '0xeead62aa2beb4fbbec5b4b91c257010e9e602ee26d901ad12791d7a530f0dc11',
    // MessageSent data of the fixture send (tests/unit/notary/test_abi.c decodes these bytes)
    messageSentData: '0x0000000000000000000000009fe46736679d2d9a65f0992f2272de9f3c7fa6e0' +
        '4c2cfbe8b402ebf9d29d30d3f0de0743603aadcf3490ebda49e53c97b1506554' +
        '0000000000000000000000000000000000000000000000000000000000000060' +
        '0000000000000000000000000000000000000000000000000000000000000042' +
        '7b226261746368223a2243432d323032342d30313137222c226f726967696e22' +
        '3a2253616e746f732c204252222c2271756172616e74696e65223a2270617373' +
        '227d000000000000000000000000000000000000000000000000000000000000',
    messageSentTopic: '0xb0b7776251fffb101273aefa3fbaf08f3e3592f58852521ea513987bd3555ee3',
};

// Notary i (1..5): secret key = 32 bytes of 0x11*i.  1..4 are the committee, 5 is an outsider.
function notaryKey(i) {
    return new ethers.SigningKey('0x' + (0x11 * i).toString(16).padStart(2, '0').repeat(32));
}
const notaryAddr = (i) => ethers.computeAddress(notaryKey(i).publicKey);
const byAddr = (a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
const sortAddrs = (list) => [...list].sort(byAddr);

// The message a fresh 7003 chain produces when account 0 deploys the Outbox first (nonce 0) and
// sends PAYLOAD to the EvidenceRegistry that account 0 deploys third (nonce 2) on fresh 7001.
const MESSAGE = {
    version: 1,
    srcChainId: 7003n,
    srcEmitter: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    seq: 1n,
    dstChainId: 7001n,
    sender: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    receiver: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
    payloadHash: C.payloadHash,
    payload: ethers.hexlify(ethers.toUtf8Bytes(PAYLOAD)),
};

/** Signatures (65 bytes, v 27/28) of notaries `who` over digest, sorted by signer. */
function signSorted(digest, who) {
    return who.map((i) => ({ addr: notaryAddr(i), sig: notaryKey(i).sign(digest).serialized }))
        .sort((x, y) => byAddr(x.addr, y.addr));
}
const concat = (list) => ethers.concat(list.map((x) => x.sig));

module.exports = { PAYLOAD, C, MESSAGE, notaryKey, notaryAddr, sortAddrs, signSorted, concat, byAddr };
