"""Throughput of ``Pseudonymiser.text()`` on typical work chat, single thread, one core.

Builds a generated member directory (realistic first and last names from many languages,
handles such as "amara.o" or "aokafor"), generates typical messages of 10-30 words in which a
realistic minority carry mentions, names, links, emails, phone numbers, ticket numbers and
emoji, warms up, then times ``text()`` over all messages.

    python benchmarks/pseudonymise.py [--members 10000] [--messages 50000] [--seed 7]

Goal: at least 20,000 messages/s. Results are recorded in docs/benchmarks.md.
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

sys.path.insert(0, str(Path(__file__).parents[1]))

from analyzers.pseudonymise import Member, Pseudonymiser  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    members = make_members(args.members, rng)
    messages = [make_message(members, rng) for _ in range(args.messages)]

    start = time.perf_counter()
    pseudonymiser = Pseudonymiser(os.urandom(32), members)
    build_s = time.perf_counter() - start
    rebuild_start = time.perf_counter()
    pseudonymiser.set_members(members)
    rebuild_s = time.perf_counter() - rebuild_start

    text = pseudonymiser.text
    for message in messages[:2000]:  # warm-up
        text(message)
    rates = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        for message in messages:
            text(message)
        rates.append(len(messages) / (time.perf_counter() - start))
    changed = sum(text(m) != m for m in messages) / len(messages)

    print(f"python {platform.python_version()} on {platform.machine()}, {platform.processor() or '?'}")
    print(f"members: {args.members}, distinct names known: {len(pseudonymiser._names)}")
    print(f"matcher build: {build_s:.2f} s (first, incl. loading the word lists), "
          f"{rebuild_s:.2f} s (set_members)")
    print(f"messages: {args.messages}, mean {statistics.mean(len(m) for m in messages):.0f} chars, "
          f"{changed:.0%} changed by pseudonymisation")
    print(f"text(): median {statistics.median(rates):,.0f} messages/s over {args.repeats} runs "
          f"(min {min(rates):,.0f}, max {max(rates):,.0f}), "
          f"{1e6 / statistics.median(rates):.1f} µs/message, one thread")


if __name__ == "__main__":
    main()
