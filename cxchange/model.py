"""The vocabulary of change readiness: ADKAR elements, Kotter steps, the answer scale, the question bank."""

from __future__ import annotations

from dataclasses import dataclass

ELEMENTS: tuple[str, ...] = ("awareness", "desire", "knowledge", "ability", "reinforcement")
"""The five ADKAR elements, in the order a person builds them."""

OUTCOME = "outcome"

ELEMENT_LABELS: dict[str, str] = {element: element.capitalize() for element in ELEMENTS} | {OUTCOME: "Outcome"}

REMEDIES: dict[str, str] = {
    "awareness": "Sponsor messages that explain why the change is needed and what happens if we do not change.",
    "desire": "Coaching from managers and champions; show what is in it for each person.",
    "knowledge": "Training on the new way of working, and clear places to find help.",
    "ability": "Practice, time, tools and coaching on the job until the new behaviours come easily.",
    "reinforcement": "Recognition and celebrated wins, so the new way of working sticks.",
}
"""Typical remedy for a team whose barrier point is the element, in plain words."""


@dataclass(frozen=True)
class KotterStep:
    """One of Kotter's eight steps, under each of its three published names."""

    number: int
    current: str
    book_2014: str
    book_1996: str

    def label(self, label_set: str = "current") -> str:
        """The step's name in the chosen label set ("current", "2014" or "1996")."""
        return {"current": self.current, "2014": self.book_2014, "1996": self.book_1996}[label_set]


KOTTER_STEPS: tuple[KotterStep, ...] = (
    KotterStep(1, "Create a sense of urgency", "Create a sense of urgency", "Establish a sense of urgency"),
    KotterStep(2, "Build a guiding coalition", "Build a guiding coalition", "Create the guiding coalition"),
    KotterStep(
        3, "Form a strategic vision", "Form a strategic vision and initiatives", "Develop a vision and strategy"
    ),
    KotterStep(4, "Enlist a volunteer army", "Enlist a volunteer army", "Communicate the change vision"),
    KotterStep(
        5,
        "Enable action by removing barriers",
        "Enable action by removing barriers",
        "Empower broad-based action",
    ),
    KotterStep(6, "Generate short-term wins", "Generate short-term wins", "Generate short-term wins"),
    KotterStep(7, "Sustain acceleration", "Sustain acceleration", "Consolidate gains and produce more change"),
    KotterStep(8, "Institute change", "Institute change", "Anchor new approaches in the culture"),
)
"""Kotter's eight steps: the names Kotter uses today, then those of Accelerate (2014) and Leading Change (1996)."""

KOTTER_LABEL_SETS: dict[str, str] = {
    "current": "Kotter's current names",
    "2014": "Accelerate (2014)",
    "1996": "Leading Change (1996)",
}

KOTTER_STATUSES: tuple[str, ...] = ("not started", "in progress", "done", "at risk")

SCALE: dict[str, int] = {
    "strongly disagree": 1,
    "disagree": 2,
    "neither agree nor disagree": 3,
    "agree": 4,
    "strongly agree": 5,
}
"""The 5-point agreement scale, canonical labels (lower case) to values."""

SCALE_VARIANTS: dict[str, int] = SCALE | {
    "somewhat disagree": 2,
    "slightly disagree": 2,
    "tend to disagree": 2,
    "neutral": 3,
    "neither agree or disagree": 3,
    "neither disagree nor agree": 3,
    "undecided": 3,
    "somewhat agree": 4,
    "slightly agree": 4,
    "tend to agree": 4,
    "completely agree": 5,
    "completely disagree": 1,
    "totally agree": 5,
    "totally disagree": 1,
}
"""Labels survey tools commonly write, mapped to the scale (compare lower case, stripped)."""

SCALE_MIN, SCALE_MAX = 1, 5


@dataclass(frozen=True)
class Item:
    """A question of the bank: its code, the ADKAR element (or outcome) it measures, its wording."""

    code: str
    element: str
    text: str


DEFAULT_ITEMS: tuple[Item, ...] = (
    Item("AW1", "awareness", "I understand why our customer experience programme is changing how we work."),
    Item("AW2", "awareness", "Leaders have explained what happens if we do not improve the customer experience."),
    Item("AW3", "awareness", "I know what the CX programme is trying to achieve for our customers."),
    Item("DE1", "desire", "I want to take part in the CX programme."),
    Item("DE2", "desire", "I believe the changes will make things better for our customers and for me."),
    Item("DE3", "desire", "My manager actively supports the CX programme."),
    Item("KN1", "knowledge", "I know what I need to do differently for our customers."),
    Item("KN2", "knowledge", "I have had the training I need for the new way of working."),
    Item("KN3", "knowledge", "I know where to find help when I am unsure what to do."),
    Item("AB1", "ability", "I have the tools and time to apply the new way of working."),
    Item("AB2", "ability", "I have been able to practise the new behaviours in my daily work."),
    Item("AB3", "ability", "Our processes and systems make it easy to do the right thing for customers."),
    Item("RE1", "reinforcement", "Good customer outcomes are recognised in my team."),
    Item("RE2", "reinforcement", "We regularly hear about the progress and results of the CX programme."),
    Item("RE3", "reinforcement", "I am confident the new way of working will last."),
    Item("OC1", "outcome", "I am confident our CX programme will succeed."),
)


def readiness_index(mean: float) -> float:
    """Rescale a 1–5 mean to the 0–100 culture readiness index."""
    return (mean - 1) / 4 * 100
