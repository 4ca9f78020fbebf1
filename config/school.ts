/**
 * What the rest of baosong derives from the configuration: the school's calendar, its deadline
 * rules, and who a mail address belongs to.
 */
import { expandOfficeSchedule, WorkingCalendar } from '../domain/calendar.js';
import { photoCaptionsFromText, ReportChecks, type CheckFacts, type CheckPerson, type Finding } from '../domain/checks/index.js';
import type { DeadlineContext } from '../domain/deadline.js';
import type { Config, Person } from './schema.js';

export function schoolCalendar(config: Config): WorkingCalendar {
  const statutory = Object.fromEntries(Object.entries(config.calendar.statutory).map(([year, schedule]) => [year, expandOfficeSchedule(schedule)]));
  return new WorkingCalendar({ holidays: config.calendar.extraHolidays, workdays: config.calendar.extraWorkdays, statutory });
}

export function deadlineContext(config: Config, calendar = schoolCalendar(config)): DeadlineContext {
  return {
    calendar,
    timeZone: config.school.timeZone,
    rules: {
      majorHours: config.deadlines.majorHours,
      urgentHours: config.deadlines.urgentHours,
      routineWorkingDays: config.deadlines.routineWorkingDays,
      workdayEnd: config.workingHours.end,
    },
  };
}

/** The few facts of the school the report checks need (domain/checks): who holds which title, and the settings. */
export function checkFacts(config: Config): CheckFacts {
  const people: CheckPerson[] = [];
  const person = (p: Person, departments: string[]) => {
    if (p.title) people.push({ name: p.name, titles: [p.title], departments });
  };
  for (const d of config.departments) for (const p of [d.head, ...d.liaisons, ...d.members]) person(p, [d.name]);
  for (const p of config.office.reviewers) person(p, []);
  for (const p of config.leadership) person(p, []);
  const c = config.checks;
  return {
    timeZone: config.school.timeZone,
    people,
    departments: config.departments.map((d) => d.name),
    settings: { disabled: c.disabled, sensitiveWords: c.sensitiveWords, builtinSensitiveWords: c.builtinSensitiveWords, titleMaxChars: c.titleMaxChars, requireCredit: c.requireCredit },
  };
}

const compiledChecks = new WeakMap<Config, ReportChecks>();

/** A stored report's text, as the pages and the mail activity have it. */
export interface ReportText {
  title: string;
  body: string;
  attachments: readonly { filename: string; contentType: string }[];
  /** ISO 8601. */
  receivedAt: string;
}

/**
 * The 稿件体检 findings of a report as it reads now (a revision included) against the configuration as it is
 * (a check the office switched off disappears): its pictures with the captions written in the text. The
 * school's patterns are compiled once per configuration.
 */
export function reportFindings(config: Config, report: ReportText): Finding[] {
  let checks = compiledChecks.get(config);
  if (!checks) {
    checks = new ReportChecks(checkFacts(config));
    compiledChecks.set(config, checks);
  }
  const pictures = report.attachments.filter((a) => a.contentType.startsWith('image/'));
  const photos = photoCaptionsFromText(report.body, pictures.map((a) => ({ name: a.filename })));
  return checks.check({ title: report.title, body: report.body, photos, receivedAt: new Date(report.receivedAt) });
}

export type Role =
  | { role: 'department_head'; department: string; departmentName: string }
  | { role: 'liaison'; department: string; departmentName: string }
  | { role: 'member'; department: string; departmentName: string }
  | { role: 'office' }
  | { role: 'leadership' };

export interface SenderIdentity {
  address: string;
  name: string | null;
  roles: Role[];
}

const owns = (p: Person, address: string) => p.email === address || p.aliases.includes(address);

/** Everything an address is in this school (a head may also be an office reviewer). Unknown → no roles. */
export function identify(config: Config, address: string): SenderIdentity {
  const a = address.trim().toLowerCase();
  const roles: Role[] = [];
  let name: string | null = null;
  const add = (people: readonly Person[], role: Role) => {
    const person = people.find((p) => owns(p, a));
    if (!person) return;
    name ??= person.name;
    roles.push(role);
  };
  for (const d of config.departments) {
    const dept = { department: d.id, departmentName: d.name };
    add([d.head], { role: 'department_head', ...dept });
    add(d.liaisons, { role: 'liaison', ...dept });
    add(d.members, { role: 'member', ...dept });
  }
  add(config.office.reviewers, { role: 'office' });
  add(config.leadership, { role: 'leadership' });
  return { address: a, name, roles };
}
