// The district the district bench runs (bench/district.ts) and its worker process (bench/worker-process.ts) both
// build: S schools as a bureau would configure them, the example school each at its own domain, mail to the bench's
// SMTP sink.
import { readFileSync } from 'node:fs';
import { parseDeployment, schoolConfig, type LoadedDeployment } from '../config/deployment.js';
import { EXAMPLE_CONFIG_FILE } from '../config/load.js';

export const BENCH_DEPLOYMENT_SECRET = 'bench-deployment-secret-0123456789abcdef';

export function benchDistrict(schoolCount: number, smtpPort: number, taskQueue: string): LoadedDeployment {
  const deployment = parseDeployment(`deployment:\n  name: 青禾县教育局\ndataDir: /tmp/baosong-bench-district\ntemporal:\n  taskQueue: ${taskQueue}\nweb:\n  schoolUrl: https://{school}.baosong.qhjy.example.cn\n`, 'bench');
  const example = readFileSync(EXAMPLE_CONFIG_FILE, 'utf8').replace(/^dataDir:.*$/m, '').replace(/^temporal:\n(?: {2}.*\n)*/m, '');
  const schools = Array.from({ length: schoolCount }, (_, i) => {
    const id = `school-${String(i + 1).padStart(4, '0')}`;
    const config = schoolConfig(deployment, id, example.replaceAll('school.test', `${id}.test`).replace(/^mail:\n/m, `mail:\n  smtp: { host: 127.0.0.1, port: ${smtpPort}, secure: false, pool: true }\n`), `${id}.yaml`);
    return { id, file: `${id}.yaml`, config };
  });
  return { deployment, file: 'bench', schools, broken: [] };
}
