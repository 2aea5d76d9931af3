"""Words a line should not be broken inside ("趋|向", "红星|村"), for ``cjk.break_lines``.

Chinese has no spaces, so the words are found by forward maximum matching against a word list:
the names this campaign uses — units and the parts of their paths, leaders, groups, the
checklist's categories, kinds, methods and items — and a small list of words common in
supervision records, kept here (no dictionary dependency: the documents' vocabulary is narrow,
and a general segmenter's guesses about names are worse than the names themselves).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words of the campaign's records that the names and the checklist do not supply.
COMMON = """
趋向 倾向 形式主义 官僚主义 享乐主义 奢靡之风 四风 两张皮 一把手 领导班子 领导干部 党员干部 班子成员
教育实践活动 群众路线 实践活动 教育 实践 活动 学习 学习教育 集中学习 专题学习 学习笔记 学习记录 心得体会
调研报告 质量 不高 雷同 照抄照搬 表面 实际 上面 下面 进度 一哄而上 赶进度 开展 工作 业务工作
改革发展 经济社会 发展 脱节 整改 整改措施 整改台账 整改到位 落实 到位 不到位 措施 具体 具体工作
问题 发现问题 问题清单 查摆 查摆问题 督导 督导组 督查 督促 指导 督促指导 流于形式 浮在面上 下级单位
意见 征求意见 听取意见 意见建议 群众 基层 群众意见 服务群众 联系群众 联系服务群众 能力 提高 注重
解决 忽视 对立 现象 盲目自满 自满 情绪 思想 思想认识 认识 存在 偏差 担心 顾虑 过关 应付 等待 观望
内容 聚焦 方式 简单 效果 明显 不明显 规定 篇目 规定篇目 中央 中央规定 掌握 不准 掌握不准 部分 干部
认为 本单位 单位 突出 不突出 主动 全面 有待 加强 有待加强 不太 理想 不深不透 深入 入户 走访 范围
扩大 清理 规范 文件 会议 严格 控制 数量 规模 牵头 督办 分管 负责 分管领导 每周 报送 进展 建立 台账
补课 逐人 书面 材料 形成 回访 核实 完成 未完成 逾期 时限 责任 责任人 情况 完成情况 评价 纪实 纪实评价
民主生活会 组织生活会 专题民主生活会 对照检查 批评 自我批评 谈心谈话 党课 讲党课 领学 解读 支部
联系点 社区 报到 作风 示范 表率 带头 亲自 履行 领导责任 示范作用 边学边查边改 开门 开大门 真开门
基层党组织 专题教育片 指导督促 督促 指导督促工作 讨论 要求 达到 时间 左右 至少 好好先生 不紧 抓得不紧 面上 好评 满意 基本满意
不满意 较好 一般 较差 优秀 良好 合格 不合格 较重 严重 轻微 乡镇 街道 村委会 居委会 社区居委会
县委 县政府 市委 市政府 镇党委 镇政府 乡党委 乡政府 党委 政府 党支部 党总支 党工委 机关 部门
组织部 宣传部 纪委 办公室 活动办 市委活动办 督导工作 工作汇总 汇总 报送 抄送 签字 组长 记录人 副组长 成员
""".split()

TERM_LONGEST = 5
_SPLIT = re.compile(r"[\s/、，,；;：:（）()“”\"'·]+")


class Lexicon:
    """A word list and the places inside its words in a text."""

    def __init__(self, words: Iterable[str]):
        self.words = {w for w in words if 2 <= len(w) <= 12}
        self.longest = max((len(w) for w in self.words), default=0)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The words of the list found in ``text`` (forward maximum matching), as (start, end)."""
        out: list[tuple[int, int]] = []
        i, count = 0, len(text)
        while i < count:
            for length in range(min(self.longest, count - i), 1, -1):
                if text[i:i + length] in self.words:
                    out.append((i, i + length))
                    i += length
                    break
            else:
                i += 1
        return out

    def inside(self, text: str) -> frozenset[int]:
        """Positions i (a break before ``text[i]``) that lie inside a word of the list."""
        return frozenset(i for start, end in self.spans(text) for i in range(start + 1, end))


def _names(values: Iterable[str]) -> set[str]:
    """Names and the parts they are made of ("临江县 / 新港镇" → both names)."""
    out: set[str] = set()
    for value in values:
        for part in _SPLIT.split(value or ""):
            if part:
                out.add(part)
    return out


def campaign_words() -> set[str]:
    """The names and terms of the data folder open now (none when no folder is open)."""
    from peewee import PeeweeException

    from .. import campaigns, units

    words: set[str] = set()
    try:
        words |= _names(path for _, path in units.unit_paths())
        words |= _names(leader.name for leader in units.list_leaders())
        words |= _names(group.name for group in campaigns.list_groups())
        tpl = campaigns.active_template()
    except (PeeweeException, AttributeError, RuntimeError):
        return words
    terms = [name for c in tpl.problem_categories for name in (c["name"], *c.get("sub_kinds", ()))]
    terms += [*tpl.methods, *(item["name"] for item in (*tpl.focus_items, *tpl.tendencies))]
    terms += [item["name"] for kind in ("leader", "team") for item in tpl.evaluation_items(kind)]
    # A checklist phrase longer than a short word is left to the common words within it: kept
    # whole, it would be longer than a narrow cell's line and then break anywhere.
    return words | {term for term in _names(terms) if len(term) <= TERM_LONGEST}


def lexicon() -> Lexicon:
    """The word list for documents made now: the common words and the open folder's names."""
    return Lexicon([*COMMON, *campaign_words()])
