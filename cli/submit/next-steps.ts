/** The commands a user runs after submitting, printed so nobody has to look them up. */
export function nextSteps(bin: string, name: string, namespace: string): string[] {
  const target = `${name} -n ${namespace}`;
  return [
    'Next:',
    `  ${bin} get ${target} -w                 # a row per change`,
    `  ${bin} wait ${target} --for=Succeeded   # progress bar, exits 0 when done`,
    `  ${bin} logs ${target} -f                # rank 0's log`,
    `  ${bin} describe ${target}               # conditions, workers, checkpoints, AP`,
  ];
}
