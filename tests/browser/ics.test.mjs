// The "Add to calendar" files imported by a real iCalendar parser, ical.js (no browser needed).
// Started by tests/api/calendar.rs, which downloads the files from a running Marquee and passes:
//   MQ_ICS_SINGLE, MQ_ICS_SINGLE_CHANGED  a single meeting's file, before and after it changed
//   MQ_ICS_RECURRING                      a recurring meeting's file (every upcoming occurrence)
//   MQ_ICS_OCCURRENCE                     the file of one chosen occurrence
//   MQ_ICS_EXPECT                         JSON: public_url, slug, ids, agenda, organizer, start
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import ICAL from "ical.js";
import { env } from "./support.mjs";

const expect = JSON.parse(env("MQ_ICS_EXPECT"));
const pageOf = (id) => `${expect.public_url}/embed/${expect.slug}/meetings/${id}`;

/** The file's calendar, its time zones registered so event times resolve through them. */
function load(name) {
  const text = readFileSync(env(name), "utf8");
  assert.ok(text.includes("\r\n"), "lines end in CRLF");
  const calendar = new ICAL.Component(ICAL.parse(text));
  assert.equal(calendar.getFirstPropertyValue("version"), "2.0");
  const zones = calendar.getAllSubcomponents("vtimezone");
  ICAL.TimezoneService.reset();
  for (const zone of zones) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  const events = calendar.getAllSubcomponents("vevent").map((c) => new ICAL.Event(c));
  return { calendar, zones, events };
}

/** The fields every event carries, checked against the meeting it is of. */
function assertComplete(event, id, summary) {
  assert.equal(event.summary, summary);
  assert.equal(event.component.getFirstPropertyValue("url"), pageOf(id));
  const organizer = event.component.getFirstProperty("organizer");
  assert.ok(organizer, "ORGANIZER present");
  assert.equal(organizer.getParameter("cn"), expect.organizer);
  assert.equal(organizer.getFirstValue(), `${expect.public_url}/embed/${expect.slug}/meetings`);
  assert.equal(event.startDate.zone.tzid, "Europe/Berlin", "times in the meeting's zone");
  assert.ok(Number.isInteger(event.sequence) && event.sequence > 0, `SEQUENCE ${event.sequence}`);
  assert.equal(event.endDate.toJSDate() - event.startDate.toJSDate() > 0, true);
}

test("a single meeting: description, URL, organizer, UID, SEQUENCE and its zone", () => {
  const { zones, events } = load("MQ_ICS_SINGLE");
  assert.equal(events.length, 1);
  const [e] = events;
  assertComplete(e, expect.single_id, "Morning flow");
  assert.equal(e.description, expect.agenda, "the agenda, unescaped by the parser");
  assert.equal(e.uid, `${expect.single_id}@${expect.slug}.marquee`);
  assert.equal(e.startDate.toJSDate().toISOString(), new Date(expect.single_start).toISOString());
  assert.equal(e.endDate.toJSDate() - e.startDate.toJSDate(), 45 * 60 * 1000);
  assert.equal(zones.length, 1);
  assert.equal(zones[0].getFirstPropertyValue("tzid"), "Europe/Berlin");
  const kinds = zones[0].getAllSubcomponents().map((c) => c.name);
  assert.ok(kinds.includes("standard") && kinds.includes("daylight"), kinds.join());

  const changed = load("MQ_ICS_SINGLE_CHANGED").events[0];
  assert.equal(changed.uid, e.uid, "the same UID: a calendar updates the entry");
  assert.ok(changed.sequence > e.sequence, `SEQUENCE grew: ${e.sequence} -> ${changed.sequence}`);
  console.log(`single: uid ${e.uid}, sequence ${e.sequence} -> ${changed.sequence}`);
});

test("a recurring meeting: one event per occurrence, each with its own stable UID", () => {
  const { events } = load("MQ_ICS_RECURRING");
  assert.equal(events.length, 3);
  const uids = events.map((e) => e.uid);
  assert.equal(new Set(uids).size, 3, "UIDs differ per occurrence");
  for (const e of events) {
    assertComplete(e, expect.series_id, "Weekly yoga");
    assert.match(e.uid, new RegExp(`^${expect.series_id}-\\d+@${expect.slug}\\.marquee$`));
  }
  const starts = events.map((e) => e.startDate.toJSDate().toISOString());
  assert.deepEqual(starts, ["2030-06-04T12:30:00.000Z", "2030-06-11T12:30:00.000Z", "2030-11-05T13:30:00.000Z"]);
  // 14:30 Berlin time both in summer (UTC+2) and after the clocks went back (UTC+1).
  assert.deepEqual(events.map((e) => [e.startDate.hour, e.startDate.minute]), [[14, 30], [14, 30], [14, 30]]);
  assert.deepEqual(events.map((e) => e.startDate.utcOffset()), [7200, 7200, 3600]);

  const chosen = load("MQ_ICS_OCCURRENCE").events;
  assert.equal(chosen.length, 1);
  assert.equal(chosen[0].uid, events[1].uid, "a chosen occurrence keeps its UID");
});
