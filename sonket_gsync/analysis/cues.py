"""Cue words: the one documented place where the report's reading of the units' words is set.

Every list here is generic administrative Vietnamese, not one campaign's vocabulary: what
makes a statement boilerplate, negative (a limitation), an objective or a subjective cause, a
matter only the centre can decide, a leading subject to strip, an outline item of a given
kind. Each is a tuple of regular-expression fragments matched on NFC, lower-cased text at
word boundaries. Change a list here and every campaign reads the same way.

Share words (``SHARE_WORDS``): how widely a theme was reported, as a share of the units that
wrote under the item: "hầu hết" ≥ 80 %, "đa số" ≥ 50 %, "nhiều" ≥ 25 %, "một số" below.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# --- how widely ------------------------------------------------------------------------------
SHARE_WORDS = ((0.8, "hầu hết"), (0.5, "đa số"), (0.25, "nhiều"), (0.0, "một số"))


def share_word(count: int, total: int) -> str:
    """ "hầu hết" / "đa số" / "nhiều" / "một số" for count of total (SHARE_WORDS)."""
    share = count / total if total else 0.0
    return next(word for floor, word in SHARE_WORDS if share >= floor)


# --- boilerplate: references to attachments, notes on the figures -------------------------------
BOILERPLATE = (
    r"(?:có|xem)\s+phụ\s+lục\s+kèm\s+theo",
    r"(?:thống\s+kê|tổng\s+hợp|thể\s+hiện|nêu|chi\s+tiết)\s+(?:cụ\s+thể\s+)?tại\s+(?:các\s+)?(?:phụ\s+lục|biểu|bảng)",
    r"(?:phụ\s+lục|biểu\s+(?:số\s+liệu|chỉ\s+tiêu|mẫu)|bảng\s+số\s+liệu)\s+(?:gửi\s+)?kèm\s+theo",
    r"gửi\s+kèm\s+(?:theo\s+)?báo\s+cáo",
    r"số\s+liệu\s+(?:năm\s+\d{4}\s+)?(?:là\s+)?(?:số\s+)?ước(?:\s+tính|\s+thực\s+hiện)?",
    r"^(?:chi\s+tiết|danh\s+mục\s+văn\s+bản|số\s+liệu\s+chi\s+tiết|kết\s+quả\s+cụ\s+thể)\b.{0,60}(?:kèm\s+theo|phụ\s+lục|biểu)",
    r"^\(?\s*(?:có\s+)?(?:phụ\s+lục|biểu)\s+kèm\s+theo\s*\)?\.?$",
)

# --- spreadsheet formulas typed as text: never quoted, never counted -----------------------------
# A text that opens with "=", "+", "-" or "@" and then a function call ("=HYPERLINK(…)",
# "@SUM(…)", "+cmd|…", a DDE call): a spreadsheet would run it, so the report never quotes it
# (intake flags it to staff: forms.validation.looks_like_formula). "+"/"-" must touch the name:
# "- Zalo (nhóm)" is a bullet.
FORMULA = r"^\s*(?:[=@]\s*[A-Za-z_][\w.]*\s*[(|]|[+\-][A-Za-z_][\w.]*[(|])"

# --- negative: a limitation, not an achievement ----------------------------------------------------
NEGATIVE = (
    r"chưa",
    r"còn\s+(?:hạn\s+chế|chậm|thấp|ít|khó\s+khăn|thiếu|hạn\s+hẹp|bất\s+cập|nhiều\s+khó\s+khăn|gặp|nặng|hình\s+thức|yếu)",
    r"hạn\s+chế",
    r"khó\s+khăn",
    r"vướng\s+mắc",
    r"bất\s+cập",
    r"thiếu\s+(?:người|kinh\s+phí|nguồn|cơ\s+chế|quyết\s+liệt|đồng\s+bộ|sự)",
    r"không\s+(?:có|được|đạt|kịp)",
    r"khó\s+đạt",
    r"chậm",
)

# a negative cue that is overcome, assessed or avoided: an achievement after all
NEGATION_UNDONE = (
    r"(?:tháo\s+gỡ|khắc\s+phục|giải\s+quyết|vượt\s+qua|đánh\s+giá|chỉ\s+ra|hạn\s+chế\s+tình\s+trạng)(?:\s+\w+){0,8}?\s+"
    r"(?:những\s+|các\s+)?(?:khó\s+khăn|vướng\s+mắc|hạn\s+chế|bất\s+cập|thiếu\s+sót|tồn\s+tại)",
    r"không\s+(?:bị|để)\s+\w+(?:\s+\w+)?",
)

# --- causes (Đánh giá chung: nguyên nhân khách quan / chủ quan) --------------------------------------
OBJECTIVE = (
    r"dịch\s+bệnh",
    r"thiên\s+tai",
    r"cơ\s+chế,?\s+chính\s+sách\s+(?:của\s+)?trung\s+ương",
    r"hướng\s+dẫn\s+(?:của\s+)?trung\s+ương",
    r"chưa\s+có\s+(?:hướng\s+dẫn|tiêu\s+chí|khung\s+pháp\s+lý|luật)",
    r"tiêu\s+chí\s+thống\s+nhất",
    r"(?:kinh\s+phí|ngân\s+sách|nguồn\s+lực(?:\s+tài\s+chính)?)(?:\s+[^\s.;]+){0,14}?\s+(?:còn\s+)?(?:hạn\s+hẹp|hạn\s+chế|eo\s+hẹp|ít(?!\s+nhất)|"
    r"chưa\s+đáp\s+ứng|khó\s+khăn|thiếu)\b",
    r"thiếu\s+(?:kinh\s+phí|ngân\s+sách|nguồn\s+lực)",
    r"(?:sắp\s+xếp|sáp\s+nhập|hợp\s+nhất)",
    r"bộ\s+máy\s+mới",
    r"chính\s+quyền\s+địa\s+phương\s+hai\s+cấp",
    r"các\s+tỉnh\s+lân\s+cận",
    r"khu\s+vực\s+tư\s+nhân",
    r"tiền\s+lương",
    r"điều\s+kiện\s+kinh\s+tế",
    r"địa\s+bàn\s+rộng",
    r"nguồn\s+tuyển\s+dụng",
    r"thu\s+nhập",
    r"chảy\s+máu\s+chất\s+xám",
    r"vùng\s+sâu",
    r"vùng\s+xa",
    r"biên\s+giới",
    r"điều\s+kiện\s+(?:làm\s+việc|sinh\s+hoạt|đi\s+lại|cơ\s+sở\s+vật\s+chất)",
    r"xuất\s+phát\s+điểm",
    r"cơ\s+sở\s+vật\s+chất",
)
SUBJECTIVE = (
    r"nhận\s+thức",
    r"người\s+đứng\s+đầu",
    r"(?:chưa|thiếu)\s+quyết\s+liệt",
    r"phối\s+hợp",
    r"chưa\s+(?:quan\s+tâm|sâu\s+sát|thường\s+xuyên|chủ\s+động|kịp\s+thời|đầy\s+đủ|đồng\s+bộ)",
    r"năng\s+lực",
    r"trách\s+nhiệm",
    r"tham\s+mưu",
    r"kiểm\s+tra,?\s+giám\s+sát",
    r"cơ\s+sở\s+dữ\s+liệu",
    r"còn\s+hình\s+thức",
    r"thiếu\s+người\s+thay\s+thế",
    r"chưa\s+(?:được\s+)?(?:chú\s+trọng|coi\s+trọng|quan\s+tâm\s+đúng\s+mức)",
    r"chưa\s+(?:sát|chặt\s+chẽ|cụ\s+thể)",
    r"lúng\s+túng",
)
# the cause part of a limitation: "… do X" / "… vì X" → X; "X nên …" → X (the cue words are read
# there first: "cấp ủy chưa quan tâm do kinh phí hạn hẹp" is an objective cause)
CAUSE_PART = r"(?<!tự\s)\b(?:do|vì|bởi|bởi\s+vì|nguyên\s+nhân\s+là)\s+(?P<after>.+)$|^(?P<before>.+?)\s+nên\s+"

# --- leading subjects stripped from a unit's sentence (the province speaks, not the unit) --------------
SUBJECTS = (
    r"cấp\s+ủy,\s+lãnh\s+đạo\s+(?:đơn\s+vị|cơ\s+quan)",
    r"ban\s+thường\s+vụ\s+đảng\s+ủy",
    r"ban\s+thường\s+vụ",
    r"ban\s+thường\s+trực",
    r"ban\s+chấp\s+hành(?:\s+đảng\s+bộ)?",
    r"thường\s+trực\s+đảng\s+ủy",
    r"lãnh\s+đạo\s+(?:đơn\s+vị|cơ\s+quan|sở|ngành)",
    r"tập\s+thể\s+lãnh\s+đạo",
    r"các\s+chi\s+bộ(?:\s+trực\s+thuộc)?",
    r"chi\s+bộ",
    r"đảng\s+ủy",
    r"đảng\s+đoàn",
    r"ban\s+cán\s+sự\s+đảng",
    r"cấp\s+ủy",
    r"đơn\s+vị",
    r"cơ\s+quan",
    r"địa\s+phương",
    r"chúng\s+tôi",
)
# the unit's own reference inside a clause ("của đơn vị", "tại cơ quan")
OWN_REFERENCE = r"\s+(?:của|tại|trong)\s+(?:đơn\s+vị|cơ\s+quan|địa\s+phương|ngành)(?=[\s,.;]|$)"

# --- recommendations: matters only the centre can decide ---------------------------------------------
CENTRE_ONLY = (
    r"\bluật\s+(?:về|riêng)",
    r"(?:ban\s+hành|xây\s+dựng|sửa\s+đổi|bổ\s+sung|nghiên\s+cứu)[^.;]{0,25}\bluật\b(?!\s+sư)",
    r"nghị\s+định",
    r"thông\s+tư",
    r"khung\s+pháp\s+lý",
    r"hành\s+lang\s+pháp\s+lý",
    r"quốc\s+hội",
    r"chính\s+phủ",
    r"bộ\s+chính\s+trị",
    r"ban\s+bí\s+thư",
    r"toàn\s+quốc",
    r"cả\s+nước",
    r"(?:chính\s+sách|chế\s+độ)\s+tiền\s+lương",
    r"tiền\s+lương,\s+phụ\s+cấp",
    r"bộ,\s+ngành\s+trung\s+ương",
)

# --- outline items by what the province says under them ---------------------------------------------
# (kind, cue in the item's title, cue in its section's title); the first that matches wins.
ITEM_KINDS = (
    ("recommendations", "", r"kiến\s+nghị|đề\s+xuất"),
    ("lessons", r"bài\s+học", ""),
    ("limitations", r"hạn\s+chế|khó\s+khăn|vướng\s+mắc|tồn\s+tại|yếu\s+kém", ""),
    ("models", r"mô\s+hình|cách\s+làm|điển\s+hình", ""),
    ("strengths", r"ưu\s+điểm|kết\s+quả\s+đạt\s+được", r"đánh\s+giá\s+chung"),
    ("tasks", r"nhiệm\s+vụ|giải\s+pháp|phương\s+hướng", r"nhiệm\s+vụ|giải\s+pháp|phương\s+hướng"),
)
CENTRE_TITLE = r"trung\s+ương"

# Verbs that open an outline title the province can turn into "… đã <title>".
TITLE_VERBS = (
    "nghiên cứu",
    "quán triệt",
    "triển khai",
    "tổ chức",
    "tăng cường",
    "phát huy",
    "xây dựng",
    "đổi mới",
    "đẩy mạnh",
    "nâng cao",
    "thực hiện",
    "tuyên truyền",
    "học tập",
    "ban hành",
    "phát triển",
    "tạo",
)
# Words that open a clause the province can put straight after "đa số cơ quan, đơn vị (52/87)";
# a clause opening otherwise has its own subject and is introduced with "nêu".
CLAUSE_VERBS = (
    "đã",
    "đang",
    "bước đầu",
    "tổ chức",
    "ban hành",
    "xây dựng",
    "triển khai",
    "đưa",
    "lồng ghép",
    "biên soạn",
    "cung cấp",
    "chỉ đạo",
    "kết hợp",
    "tiến hành",
    "thực hiện",
    "lựa chọn",
    "cử",
    "tạo",
    "phối hợp",
    "liên kết",
    "mở",
    "bồi dưỡng",
    "đăng tải",
    "đẩy mạnh",
    "sử dụng",
    "biểu dương",
    "khen thưởng",
    "tôn vinh",
    "tiếp nhận",
    "tham mưu",
    "thanh tra",
    "rà soát",
    "bố trí",
    "ưu tiên",
    "ký kết",
    "chủ trì",
    "nghiệm thu",
    "dành",
    "kết nạp",
    "chú trọng",
    "phát huy",
    "huy động",
    "công nhận",
    "thành lập",
    "duy trì",
    "đổi mới",
    "áp dụng",
    "giao",
    "phân công",
    "ứng dụng",
    "đặt hàng",
    "hoàn thành",
    "kịp thời",
    "cụ thể hóa",
    "định kỳ",
    "hằng năm",
    "tập trung",
    "quan tâm",
    "mạnh dạn",
    "phát động",
    "thu hút",
    "nâng cao",
    "tăng cường",
    "hỗ trợ",
    "quán triệt",
    "học tập",
    "tuyên truyền",
    "số hóa",
    "hướng dẫn",
    "giám sát",
    "kiểm tra",
    "gắn",
    "đa dạng hóa",
    "phát triển",
    "mở rộng",
)

# Words that open a task already written as one ("Tiếp tục …", "Đẩy mạnh …").
TASK_VERBS = (
    "tiếp tục",
    "đẩy mạnh",
    "nâng cao",
    "tăng cường",
    "thực hiện",
    "xây dựng",
    "hoàn thiện",
    "đổi mới",
    "phát huy",
    "chú trọng",
    "quan tâm",
    "tập trung",
    "triển khai",
    "rà soát",
    "đầu tư",
    "ưu tiên",
    "mở rộng",
    "phát triển",
    "khuyến khích",
    "bố trí",
    "hoàn thành",
    "đa dạng hóa",
    "gắn",
    "đào tạo",
    "kiện toàn",
)


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_FORMULA = re.compile(FORMULA)
_FORMULA_OPENERS = ("=", "@", "+", "-")  # FORMULA's first character after spaces ("" is not one)
_BOILERPLATE = _compile(BOILERPLATE)
_NEGATIVE = _compile(tuple(rf"\b{p}\b" for p in NEGATIVE))
_UNDONE = _compile(NEGATION_UNDONE)
_OBJECTIVE = _compile(OBJECTIVE)
_CAUSE_PART = re.compile(CAUSE_PART, re.IGNORECASE)
_SUBJECTIVE = _compile(SUBJECTIVE)
_CENTRE = _compile(CENTRE_ONLY)


def _low(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").lower()


@lru_cache(maxsize=65536)
def is_boilerplate(text: str) -> bool:
    """A reference to an attachment or a note on the figures ("Danh mục văn bản được thống kê
    tại phụ lục kèm theo", "Số liệu năm 2026 là số ước thực hiện"), not a finding."""
    low = _low(text).strip()
    return bool(_BOILERPLATE.search(low)) and len(low.split()) <= 25


def is_formula(text: str) -> bool:
    """A spreadsheet formula typed as text ("=HYPERLINK(…)", FORMULA): never quoted, not a finding."""
    if (text or "").lstrip()[:1] not in _FORMULA_OPENERS:  # most text: no need to normalise and match
        return False
    return bool(_FORMULA.match(unicodedata.normalize("NFC", text)))


@lru_cache(maxsize=65536)
def is_negative(text: str) -> bool:
    """A limitation ("chưa", "còn hạn chế", "khó khăn" …) rather than an achievement; a cue
    that is overcome ("tháo gỡ vướng mắc", "khắc phục hạn chế", "không bị gián đoạn",
    NEGATION_UNDONE) does not count."""
    return bool(_NEGATIVE.search(_UNDONE.sub(" ", _low(text))))


@lru_cache(maxsize=65536)
def cause_kind(text: str) -> str:
    """ "khach_quan" (objective), "chu_quan" (subjective) or "" by the cue words (OBJECTIVE,
    SUBJECTIVE): read in the cause part first ("… do X", "X nên …": CAUSE_PART), then in the
    whole text when the cause part has no cue; the one with more matches wins, objective on
    a tie."""
    low = _low(text)
    part = _CAUSE_PART.search(low)
    if part:
        kind = _cause_kind(part.group("after") or part.group("before") or "")
        if kind:
            return kind
    return _cause_kind(low)


def _cause_kind(low: str) -> str:
    objective = len(_OBJECTIVE.findall(low))
    subjective = len(_SUBJECTIVE.findall(low))
    if not objective and not subjective:
        return ""
    return "khach_quan" if objective >= subjective else "chu_quan"


def is_centre_only(text: str) -> bool:
    """A matter only the centre can decide (a law, a decree, a national pay policy …)."""
    return bool(_CENTRE.search(_low(text)))


def item_kind(title: str, section_title: str = "") -> str:
    """What the province says under an outline item: "results" (the default), "strengths",
    "models", "limitations", "lessons", "tasks" or "recommendations" (ITEM_KINDS)."""
    title, section = _low(title), _low(section_title)
    for kind, in_title, in_section in ITEM_KINDS:
        if kind == "strengths":  # "kết quả đạt được" is a strength only under the general assessment
            if re.search(in_title, title) and (re.search(r"ưu\s+điểm", title) or re.search(in_section, section)):
                return kind
            continue
        if (in_title and re.search(in_title, title)) or (in_section and re.search(in_section, section)):
            return kind
    return "results"


def is_centre_title(title: str) -> bool:
    return bool(re.search(CENTRE_TITLE, _low(title)))
