module.exports = {
  skipFiles: ["mocks/", "governance/"],
  mocha: { timeout: 300000 },
};
