"""The vocabulary must say exactly what DESIGN.md says: element order, Kotter's names, the question bank."""

from __future__ import annotations

import pytest

from cxchange.model import (
    DEFAULT_ITEMS,
    ELEMENTS,
    KOTTER_LABEL_SETS,
    KOTTER_STEPS,
    SCALE,
    SCALE_VARIANTS,
    readiness_index,
)

# DESIGN.md: the 2014 (Accelerate) names, with the 1996 (Leading Change) names as aliases.
KOTTER_2014 = [
    "Create a sense of urgency",
    "Build a guiding coalition",
    "Form a strategic vision and initiatives",
    "Enlist a volunteer army",
    "Enable action by removing barriers",
    "Generate short-term wins",
    "Sustain acceleration",
    "Institute change",
]
KOTTER_1996 = [
    "Establish a sense of urgency",
    "Create the guiding coalition",
    "Develop a vision and strategy",
    "Communicate the change vision",
    "Empower broad-based action",
    "Generate short-term wins",  # DESIGN.md gives no alias: the name is the same in both books
    "Consolidate gains and produce more change",
    "Anchor new approaches in the culture",
]
# Kotter's current short names (kotterinc.com): the 2014 names, with step 3 shortened.
KOTTER_CURRENT = [
    "Create a sense of urgency",
    "Build a guiding coalition",
    "Form a strategic vision",
    "Enlist a volunteer army",
    "Enable action by removing barriers",
    "Generate short-term wins",
    "Sustain acceleration",
    "Institute change",
]

# DESIGN.md's default question bank, verbatim.
DESIGN_ITEMS = [
    ("AW1", "awareness", "I understand why our customer experience programme is changing how we work."),
    ("AW2", "awareness", "Leaders have explained what happens if we do not improve the customer experience."),
    ("AW3", "awareness", "I know what the CX programme is trying to achieve for our customers."),
    ("DE1", "desire", "I want to take part in the CX programme."),
    ("DE2", "desire", "I believe the changes will make things better for our customers and for me."),
    ("DE3", "desire", "My manager actively supports the CX programme."),
    ("KN1", "knowledge", "I know what I need to do differently for our customers."),
    ("KN2", "knowledge", "I have had the training I need for the new way of working."),
    ("KN3", "knowledge", "I know where to find help when I am unsure what to do."),
    ("AB1", "ability", "I have the tools and time to apply the new way of working."),
    ("AB2", "ability", "I have been able to practise the new behaviours in my daily work."),
    ("AB3", "ability", "Our processes and systems make it easy to do the right thing for customers."),
    ("RE1", "reinforcement", "Good customer outcomes are recognised in my team."),
    ("RE2", "reinforcement", "We regularly hear about the progress and results of the CX programme."),
    ("RE3", "reinforcement", "I am confident the new way of working will last."),
    ("OC1", "outcome", "I am confident our CX programme will succeed."),
]


def test_adkar_elements_in_the_order_a_person_builds_them():
    assert ELEMENTS == ("awareness", "desire", "knowledge", "ability", "reinforcement")


def test_there_are_eight_kotter_steps_numbered_in_order():
    assert [step.number for step in KOTTER_STEPS] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_kotter_label_sets_are_current_2014_and_1996():
    assert list(KOTTER_LABEL_SETS) == ["current", "2014", "1996"]


@pytest.mark.parametrize(
    ("label_set", "expected"),
    [("2014", KOTTER_2014), ("1996", KOTTER_1996), ("current", KOTTER_CURRENT)],
)
def test_kotter_step_names_per_label_set(label_set, expected):
    assert [step.label(label_set) for step in KOTTER_STEPS] == expected


def test_kotter_labels_default_to_the_current_names():
    assert [step.label() for step in KOTTER_STEPS] == KOTTER_CURRENT


def test_default_question_bank_is_designs_table():
    assert [(item.code, item.element, item.text) for item in DEFAULT_ITEMS] == DESIGN_ITEMS


def test_question_bank_has_three_items_per_element_and_one_outcome():
    elements = [item.element for item in DEFAULT_ITEMS]
    assert {element: elements.count(element) for element in (*ELEMENTS, "outcome")} == {
        "awareness": 3,
        "desire": 3,
        "knowledge": 3,
        "ability": 3,
        "reinforcement": 3,
        "outcome": 1,
    }


def test_scale_labels_and_values():
    assert SCALE == {
        "strongly disagree": 1,
        "disagree": 2,
        "neither agree nor disagree": 3,
        "agree": 4,
        "strongly agree": 5,
    }


@pytest.mark.parametrize(("label", "value"), [("neutral", 3), ("somewhat agree", 4), ("somewhat disagree", 2)])
def test_common_scale_variants_map_sensibly(label, value):
    assert SCALE_VARIANTS[label] == value


def test_scale_variants_keep_the_canonical_labels():
    assert SCALE.items() <= SCALE_VARIANTS.items()


@pytest.mark.parametrize(
    ("mean", "expected"),
    [
        (1, 0),  # (1-1)/4*100 = 0
        (5, 100),  # (5-1)/4*100 = 100
        (3, 50),  # (3-1)/4*100 = 50
        (3.8, 70),  # (3.8-1)/4*100 = 2.8*25 = 70
    ],
)
def test_readiness_index_rescales_1_to_5_onto_0_to_100(mean, expected):
    assert readiness_index(mean) == pytest.approx(expected)
