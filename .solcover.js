module.exports = {
  skipFiles: ["mocks/", "governance/"],
  mocha: { timeout: 300000 },
  // The contracts compile through the IR pipeline; with its optimizer on, instrumentation can be
  // optimised away and coverage under-reported. irMinimum keeps the IR but only the passes it needs.
  irMinimum: true,
};
