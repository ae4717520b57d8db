"""Throughput of ``Pseudonymiser.text()`` on typical work chat, single thread, one core.

Builds a generated member directory (realistic first and last names from many languages,
handles such as "amara.o" or "aokafor"), generates typical messages of 10-30 words in which a
realistic minority carry mentions, names, links, emails, phone numbers, ticket numbers and
emoji, warms up, then times ``text()`` over all messages. The messages are written as Slack
sends them (mentions and links as markup, ``&``, ``<``, ``>`` escaped) and turned into the
core's neutral text by the Slack adapter's :func:`bot.slack.markup.to_plain` before timing, as
the bot does; that conversion is timed on its own.

    python benchmarks/pseudonymise.py [--members 10000] [--messages 50000] [--seed 7]

Goal: at least 20,000 typical messages/s. A second figure times "dense" messages that each
carry seven identifiers (the slow end of real traffic). Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).parents[1]))

from analyzers.pseudonymise import Member, Pseudonymiser  # noqa: E402
from bot.slack.markup import to_plain  # noqa: E402

FIRST = """Amara Chidi Ngozi Tunde Aisha Fatima Omar Yusuf Layla Hassan Mohammed Noor Priya Arjun
Ananya Rahul Deepa Vikram Sanjay Meera Wei Li Jing Hao Mei Xin Yuki Haruto Sakura Kenji Hana
Min-jun Seo-yeon Ji-woo Thanh Linh Minh Olga Ivan Dmitri Anastasia Katarzyna Piotr Agnieszka
Tomasz Lukas Sofia Mateo Valentina Santiago Camila Diego Lucia Javier Carmen Pablo Ines Joao
Beatriz Tiago Giulia Marco Francesca Luca Chiara Matteo Elena Andrea Hans Greta Felix Lena
Jonas Emma Noah Liam Olivia Ava Isabella Mia Charlotte Amelia Harper Evelyn Abigail Emily
Elizabeth Ella Sofia Avery Scarlett Aria Chloe Victoria Madison Eleanor Hazel Nora Riley Zoey
Lily Ellie Violet Lucas Mason Ethan Logan Oliver Elijah James Aiden Benjamin Jacob Michael
Alexander Daniel Henry Jackson Sebastian Carter Owen Wyatt Jack Luke Jayden Dylan Grayson
Levi Isaac Gabriel Julian Anthony Jaxon Lincoln Joshua Christopher Andrew Theodore Caleb
Ryan Asher Nathan Thomas Leo Isaiah Charles Josiah Hudson Christian Hunter Connor Eli Ezra
Aaron Landon Adrian Jonathan Nolan Jeremiah Easton Elias Colton Cameron Brayden Jordan
Siobhan Niamh Aoife Ciaran Eoin Sean Declan Freya Astrid Sven Bjorn Ingrid Erik Anneli Sami
Kwame Kofi Ama Abena Zanele Thabo Sipho Lindiwe Mariam Tariq Karim Leila Reza Darius Shirin
Will Mark Grace Hope Joy Max Frank Bill May June Rose Dawn Faith Chase Drew Art Ray""".split()

LAST = """Okafor Adeyemi Nwosu Mensah Owusu Diallo Traore Abdullah Haddad Khalil Nasser Rahman
Patel Sharma Gupta Iyer Reddy Nair Singh Kumar Chen Wang Zhang Liu Yang Huang Zhao Wu Zhou Xu
Tanaka Suzuki Takahashi Watanabe Ito Kim Lee Park Choi Jung Nguyen Tran Le Pham Ivanova Petrov
Smirnov Kowalski Nowak Wisniewski Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker
Garcia Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres Flores Rivera
Silva Santos Oliveira Souza Costa Pereira Ferreira Rossi Russo Ferrari Esposito Bianchi
Romano Colombo Ricci Marino Greco Bruno Gallo Conti Smith Johnson Williams Brown Jones Miller
Davis Wilson Anderson Taylor Thomas Moore Jackson Martin Thompson White Harris Clark Lewis
Robinson Walker Young Allen King Wright Scott Hill Green Adams Baker Nelson Mitchell Campbell
Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers
Murray Kelly OBrien Byrne Ryan Walsh Doyle Quinn Lynch Larsen Hansen Johansson Lindberg
Virtanen Korhonen Nieminen Dubois Laurent Lefebvre Moreau Fournier Girard Bonnet Dupont
Lambert Fontaine Rousseau Vincent Mercier Blanc Guerin Boyer Faure Andre Okonkwo Fernsby
Quist Abara Eze Balogun Achebe Kariuki Mwangi Otieno Wanjiru Banda Phiri Dlamini Ndlovu""".split()

WORDS = """the deploy build release review merge test tests bug fix ticket sprint standup retro
demo design product meeting call sync lunch coffee today tomorrow yesterday morning afternoon
week weekend monday friday thanks please sorry great good nice awesome okay yes sure done
still again maybe later soon can you could we should I will it is was be have has had do did
not just really very so and or but with for on in at to from about this that these those my
our your their team everyone folks need want looks like think know see check update status
blocked waiting pipeline staging prod server client api docs repo branch main hotfix rollback
incident alert pager oncall customer feedback roadmap planning estimate deadline scope spec
draft doc slides notes agenda invite calendar vacation sick out office back online offline
quick question anyone seen this error again after the last change works for me on my machine
let me take a look i am on it will do sounds good no worries happy friday long day tired
swamped excited proud frustrated confused stuck finally shipped it love this nice catch""".split()

EMOJI = [":tada:", ":+1:", ":eyes:", ":pray:", ":fire:", ":sweat_smile:", "🎉", "👍", "🙏", "😅"]


def make_members(count: int, rng: random.Random) -> list[Member]:
    """``count`` members named like a real directory: real name, handle, first/last names."""
    members = []
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        handle = rng.choice([
            f"{first}.{last[0]}", f"{first[0]}{last}", f"{first}_{last}", f"{first}{n % 97}",
        ]).lower()
        display = rng.choice([first, f"{first} {last[0]}.", handle, f"{first} {last}"])
        members.append(Member(f"U{n:09d}", (handle, f"{first} {last}", display, first, last)))
    return members


def make_message(members: list[Member], rng: random.Random) -> str:
    """One chat message of 10-30 words; about a third carry something to pseudonymise."""
    words = rng.choices(WORDS, k=rng.randint(10, 30))
    extras = []
    if rng.random() < 0.12:
        extras.append(f"<@{rng.choice(members).user_id}>")
    if rng.random() < 0.08:
        extras.append(rng.choice(members).names[rng.choice([1, 3, 4])])
    if rng.random() < 0.05:
        extras.append(rng.choice([
            f"<https://git.example.com/org/repo/pull/{rng.randint(100, 9999)}>",
            "<https://wiki.example.com/Team/Notes|the notes>",
            "https://status.example.io/incidents/42",
        ]))
    if rng.random() < 0.02:
        extras.append(rng.choice(["<mailto:jo@corp.example|jo@corp.example>", "ops@corp.example"]))
    if rng.random() < 0.01:
        extras.append(rng.choice(["+44 20 7946 0958", "(555) 123-4567"]))
    if rng.random() < 0.04:
        extras.append(f"INC-{rng.randint(10000, 999999)}")
    if rng.random() < 0.08:
        extras.append(rng.choice(["10:30", "3", "v2.13.0", "2026-11-23", "45%"]))
    if rng.random() < 0.15:
        extras.append(rng.choice(EMOJI))
    for extra in extras:
        words.insert(rng.randrange(len(words) + 1), extra)
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(["", ".", "!", "?", " :)"])


def make_dense_message(members: list[Member], rng: random.Random) -> str:
    """A message of 10-30 words that also carries a mention, a full name, a bare URL, an email,
    a phone number, a ticket number and a time: the slow end of real traffic."""
    words = rng.choices(WORDS, k=rng.randint(10, 30))
    for extra in (
        f"<@{rng.choice(members).user_id}>", rng.choice(members).names[1],
        "https://status.example.io/incidents/42", "ops@corp.example", "+44 20 7946 0958",
        f"INC-{rng.randint(10000, 999999)}", "10:30",
    ):
        words.insert(rng.randrange(len(words) + 1), extra)
    return " ".join(words)


def throughput(text: Callable[[str], str], messages: list[str], repeats: int) -> list[float]:
    """Messages per second of ``text`` over ``messages``, once per repeat, after a warm-up."""
    for message in messages[:2000]:
        text(message)
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for message in messages:
            text(message)
        rates.append(len(messages) / (time.perf_counter() - start))
    return rates


def report(label: str, messages: list[str], rates: list[float]) -> None:
    median = statistics.median(rates)
    print(f"{label}: {len(messages)} messages, mean {statistics.mean(map(len, messages)):.0f} chars; "
          f"median {median:,.0f} messages/s over {len(rates)} runs "
          f"(min {min(rates):,.0f}, max {max(rates):,.0f}), {1e6 / median:.1f} µs/message")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    members = make_members(args.members, rng)
    slack_messages = [make_message(members, rng) for _ in range(args.messages)]
    messages = [to_plain(m) for m in slack_messages]

    start = time.perf_counter()
    pseudonymiser = Pseudonymiser(os.urandom(32), members)
    build_s = time.perf_counter() - start
    rebuild_start = time.perf_counter()
    pseudonymiser.set_members(members)
    rebuild_s = time.perf_counter() - rebuild_start

    print(f"python {platform.python_version()} on {platform.machine()}, one thread")
    print(f"members: {args.members}, with {sum(len(m.names) for m in members)} names")
    print(f"matcher build: {build_s:.2f} s (first, incl. loading the word lists), "
          f"{rebuild_s:.2f} s (set_members)")
    changed = sum(pseudonymiser.text(m) != raw for m, raw in zip(messages, slack_messages)) / len(messages)
    print(f"typical messages changed by to_plain and pseudonymisation: {changed:.0%}")
    report("typical", messages, throughput(pseudonymiser.text, messages, args.repeats))
    report("to_plain (Slack markup, typical)", slack_messages, throughput(to_plain, slack_messages, args.repeats))
    dense = [to_plain(make_dense_message(members, rng)) for _ in range(args.messages // 5)]
    report("dense", dense, throughput(pseudonymiser.text, dense, args.repeats))


if __name__ == "__main__":
    main()
