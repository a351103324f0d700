"""The words the sandbox's data is made of: organizations, subjects, titles in several scripts,
hostile strings (Rich markup, terminal escapes), people. Plain constants; data.py combines them.
"""

from __future__ import annotations

import itertools

# (key, name, homepage, tags). Names in several scripts; one looks like Rich markup.
ORGS = [
    (
        "MITx",
        "Massachusetts Institute of Technology",
        "https://www.mit.edu",
        ["charter", "founder"],
    ),
    ("HarvardX", "Harvard University", "https://www.harvard.edu", ["charter", "founder"]),
    ("DelftX", "Delft University of Technology", "https://www.tudelft.nl", ["charter"]),
    ("UniGeneveX", "Université de Genève", "https://www.unige.ch", []),
    ("MIPTx", "Московский физико-технический институт", "https://mipt.ru", []),
    ("KAUSTx", "جامعة الملك عبدالله للعلوم والتقنية", "https://www.kaust.edu.sa", ["charter"]),
    ("TsinghuaX", "清华大学", "https://www.tsinghua.edu.cn", ["charter"]),
    ("UTokyoX", "東京大学", "https://www.u-tokyo.ac.jp", []),
    ("IITBombayX", "Indian Institute of Technology Bombay", None, []),
    ("BerkeleyX", "University of California, Berkeley", "https://www.berkeley.edu", ["charter"]),
    ("SNUx", "서울대학교", "https://www.snu.ac.kr", []),
    ("MarkupX", "[bold red]Markup[/] University", None, []),
]

# (name, course-number prefix)
SUBJECTS = [
    ("Computer Science", "CS"),
    ("Data Analysis & Statistics", "DS"),
    ("Mathematics", "MATH"),
    ("Physics", "PHYS"),
    ("Chemistry", "CHEM"),
    ("Biology & Life Sciences", "BIO"),
    ("Economics & Finance", "ECON"),
    ("History", "HIST"),
    ("Language", "LANG"),
    ("Engineering", "ENGR"),
    ("Environmental Studies", "ENV"),
    ("Business & Management", "BUS"),
]

EN_TOPICS = [
    "Computer Science", "Data Science", "Machine Learning", "Linear Algebra", "Climate Change",
    "Public Health", "Supply Chain Management", "Quantum Mechanics", "Financial Accounting",
    "Ancient Greek History", "Organic Chemistry", "Cybersecurity", "Entrepreneurship",
    "Negotiation", "Astrophysics", "Statistics", "Marketing Analytics", "Creative Writing",
    "Human Anatomy", "Robotics", "Databases", "Algorithms", "Microeconomics", "Genetics",
]  # fmt: skip
EN_PATTERNS = [
    "Introduction to {t}", "{t} Fundamentals", "Advanced {t}", "{t} for Everyone",
    "Principles of {t}", "{t}: A Practical Approach", "Foundations of {t}", "{t} II",
]  # fmt: skip
TITLES = {
    "latin": [
        "Introducción a la programación", "Économie du développement durable",
        "Análise de Dados com Python", "Grundlagen der Thermodynamik – Übungen",
        "Storia dell'arte medievale", "Wstęp do języka polskiego", "Türk Edebiyatına Giriş",
        "Čeština pro cizince", "Matemáticas para ingeniería", "Ökologie und Naturschutz",
    ],
    "cyrillic": [
        "Введение в программирование", "Математический анализ — часть 2",
        "Основы квантовой физики", "История России XX века", "Українська мова для початківців",
    ],
    "arabic": [
        "مقدمة في علوم الحاسوب", "الذكاء الاصطناعي للجميع", "أساسيات الاقتصاد",
        "مقدمة في Python للمبتدئين",
    ],
    "cjk": [
        "数据结构与算法", "机器学习导论", "機械学習入門", "日本語の基礎", "한국어 입문",
        "中國古代史", "量子力学の基礎",
    ],
    "emoji": [
        "Python 🐍 for Data Science 📊", "Cooking 🍳 with Chemistry ⚗️",
        "Astronomy 🔭✨ for Beginners", "Music Theory 🎵🎶", "Family 👨‍👩‍👧‍👦 Health",
        "Flags 🇺🇳 🏳️‍🌈 and Identity",
    ],
    "markup": [
        "[bold red]Hacked[/] Course Title", "[link=https://evil.example]Free Certificate[/link]",
        "Arrays [0] and [1:2] in Python", "[/] Stray Closing Tag", "[blink]Blinking[/blink] Lights",
    ],
    "escape": [
        "\x1b[31mRed Alert\x1b[0m: Terminal Safety",
        "Clipboard \x1b]52;c;ZWNobyBvd25lZA==\x07 Hijacking 101",
        "\x1b]8;;https://evil.example/\x1b\\Click Here for Credit\x1b]8;;\x1b\\",
        "C1 Controls \x9b31m in the Wild",
        "Bidi \u202eexe.txt\u202c Tricks",
        "Backspace\x08\x08\x08 and Bell\x07 Sounds",
        "Clear \x1b[2J\x1b[H Screen",
    ],
}  # fmt: skip
LANGUAGE = {"en": "en-us", "latin": "es-es", "cyrillic": "ru", "arabic": "ar", "cjk": "zh-cn"}
# The first courses of every seed show one of each kind, so a demo's first page has them all.
SHOWCASE = [
    "en", "latin", "cyrillic", "en", "arabic", "cjk", "emoji", "markup", "en", "escape",
    "long", "en", "latin", "escape", "cjk", "markup", "en", "escape", "arabic", "html",
    "en", "escape", "cyrillic", "en", "escape", "latin", "emoji", "en", "escape", "cjk",
    "markup", "en", "escape", "arabic", "en", "latin", "markup", "en", "cjk", "en",
]  # fmt: skip
FLAVOR_WEIGHTS = [
    ("en", 50), ("latin", 14), ("cyrillic", 8), ("arabic", 6), ("cjk", 10), ("emoji", 5),
    ("markup", 2), ("escape", 2), ("long", 2), ("html", 1),
]  # fmt: skip
FLAVORS, WEIGHTS = zip(*FLAVOR_WEIGHTS, strict=True)
CUM_WEIGHTS = list(itertools.accumulate(WEIGHTS))

PEOPLE = [
    ("Anant", "Agarwal"), ("María José", "García López"), ("Ольга", "Иванова"),
    ("محمد", "الأحمد"), ("美咲", "佐藤"), ("伟", "王"), ("Zoë", "Brontë-Smith"),
    ("Nnamdi", "Okonkwo"), ("[bold]Mal[/]", "Lory"), ("Eve", "\x1b[5mBlink\x1b[0m"),
    ("Lars", "Øster"), ("Chloé", "Dubois"), ("Priya", "Raman"), ("Kwame", "Mensah"),
    ("Siobhán", "Ní Bhriain"), ("Jürgen", "Müller"), ("Aroha", "Ngata"), ("Dmitri", "Sokolov"),
    ("Fatima", "Zahra"), ("민준", "김"), ("David", "Malan"), ("Eric", "Lander"),
]  # fmt: skip
POSITIONS = ["Professor", "Associate Professor", "Lecturer", "Teaching Fellow", "Dean"]
LEVELS = ["Introductory", "Intermediate", "Advanced", None]
PROGRAM_TYPES = ["XSeries", "MicroMasters", "Professional Certificate", "MicroBachelors"]
PROGRAM_STATUSES = ["active"] * 6 + ["unpublished", "retired", "deleted"]
CDN = "https://prod-discovery.edx-cdn.org/media"
