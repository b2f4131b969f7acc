"""Every string of the interface in English and 中文, and ``t()`` to look one up.

``STRINGS`` is one flat dict ``key -> (English, 中文)``, grouped by page under comment headers;
a page adds its strings by appending a group. Keys are ``"<page or area>.<name>"``; strings may
hold ``{named}`` fields filled by ``t(key, name=value)``. A test checks that every key has both
languages with the same fields, and that every ``t("...")`` in ``app.py``, ``pages/`` and ``ui/``
names a key that exists.

Technical terms follow the study notes: 卷积核 (kernel), 步幅 (stride), 填充 (padding),
膨胀 (dilation), 感受野 (receptive field), 池化 (pooling), 转置卷积 (transposed convolution),
互相关 (cross-correlation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from filters.kernels import KERNELS
from filters.samples import SAMPLES

from .state import persist

__all__ = ["LANGUAGES", "LANG_KEY", "STRINGS", "has_key", "kernel_description", "kernel_name",
           "lang", "language_switch", "option_format", "param_label", "sample_description",
           "sample_name", "t", "t_in"]

LANGUAGES = {"en": "English", "zh": "中文"}
LANG_KEY = "lang"


def _kernel_en(kernel_id: str) -> str:
    """The library's English description of a catalogue kernel (one place for that sentence)."""
    return KERNELS[kernel_id].description


def _sample_en(sample_id: str) -> str:
    """The library's English description of a built-in image."""
    return SAMPLES[sample_id].description


STRINGS: dict[str, tuple[str, str]] = {
    # --- shared -------------------------------------------------------------------------------
    "app.title": ("Convolution Lab", "卷积实验室"),
    "app.language": ("Language", "语言"),
    "nav.home": ("Home", "首页"),
    "nav.filter": ("Filter", "滤波"),
    "nav.padding": ("Padding", "填充"),
    "nav.pooling": ("Pooling & upsampling", "池化与上采样"),
    "nav.explain": ("How convolution works", "卷积如何计算"),
    "nav.learn": ("Learn a kernel", "学习卷积核"),
    "nav.lenet": ("Train LeNet", "训练 LeNet"),
    "nav.receptive": ("Receptive fields", "感受野"),
    "nav.bench": ("Benchmarks", "性能测试"),
    "error.prefix": ("That did not work: {message}", "无法完成：{message}"),
    "common.input": ("Input", "输入"),
    "common.output": ("Output", "输出"),
    "common.kernel": ("Kernel", "卷积核"),
    "common.stride": ("Stride", "步幅"),
    "common.padding": ("Padding", "填充"),
    "common.padding_mode": ("Padding mode", "填充模式"),
    "common.dilation": ("Dilation", "膨胀"),
    "common.bias": ("Bias", "偏置"),
    "common.backend": ("Backend", "计算后端"),
    "common.code": ("Code for this result", "生成此结果的代码"),
    "common.code_help": (
        "Each snippet reads the working image from input.npy and reproduces the numbers above.",
        "每段代码从 input.npy 读取当前图像，并复现上面的数值。",
    ),
    "common.download_input": ("Download input.npy", "下载 input.npy"),
    "common.download_snippet": ("Download {name}.py", "下载 {name}.py"),
    "common.size": ("{h}×{w} pixels", "{h}×{w} 像素"),
    "mode.zeros": ("zeros", "零填充 zeros"),
    "mode.reflect": ("reflect", "反射 reflect"),
    "mode.replicate": ("replicate", "复制 replicate"),
    "mode.circular": ("circular", "循环 circular"),
    "stats.min": ("min", "最小值"),
    "stats.max": ("max", "最大值"),
    "stats.mean": ("mean", "平均值"),
    "stats.shape": ("shape", "形状"),
    # --- image source (sidebar of every page) ---------------------------------------------------
    "image.header": ("Image", "图像"),
    "image.source": ("Source", "来源"),
    "image.source.sample": ("Sample", "示例图像"),
    "image.source.upload": ("Upload", "上传"),
    "image.sample": ("Sample image", "示例图像"),
    "image.upload": ("Upload an image", "上传图像"),
    "image.upload_help": (
        "PNG, JPEG, WebP, BMP, TIFF or GIF (first frame); up to {mb} MB and {mp} megapixels.",
        "支持 PNG、JPEG、WebP、BMP、TIFF 或 GIF（第一帧）；最大 {mb} MB、{mp} 百万像素。",
    ),
    "image.background": ("Background for transparent pixels", "透明像素的背景色"),
    "image.background_help": ("PNG, WebP and GIF transparency is composited on this colour.",
                              "PNG、WebP 和 GIF 的透明部分会合成到这个颜色上。"),
    "image.upload_waiting": (
        "Choose a file; until then the current image stays.",
        "请选择文件；在此之前保留当前图像。",
    ),
    "image.colour": ("Colour", "颜色"),
    "image.colour.keep": ("Colour (RGB)", "彩色 (RGB)"),
    "image.colour.grey": ("Grey", "灰度"),
    "image.fast": (
        "Fast preview (work on a copy at most 800 px)",
        "快速预览（在最长边 800 像素的副本上计算）",
    ),
    "image.fast_help": (
        "Off: the Filter page computes on the full-resolution image and the pages that show "
        "comparisons on a copy at most 1200 px a side. On: every page on a copy at most 800 px, "
        "for speed with very large photos.",
        "关闭：“滤波”页面在原始分辨率的图像上计算，展示对比的页面在最长边不超过 1200 像素的副本上"
        "计算。开启：所有页面都在最长边 800 像素的副本上计算，处理超大照片时更快。",
    ),
    "image.working_copy": (
        "This page computes on a {w}×{h} working copy of your {fw}×{fh} image; the Filter page "
        "works at full resolution.",
        "本页在你的 {fw}×{fh} 图像的 {w}×{h} 工作副本上计算；“滤波”页面按原始分辨率计算。",
    ),
    "image.working_copy_help": (
        "Pages that show a comparison (the four padding modes, pooling, receptive fields…) "
        "compute on a copy at most 1200 px a side: what you see is the same, it opens in about "
        "a second, and several people with 12-megapixel photos fit in the server's memory.",
        "展示对比的页面（四种填充方式、池化、感受野……）在最长边不超过 1200 像素的副本上计算："
        "看到的效果相同，约一秒即可打开，多人同时上传 1200 万像素的照片也不会耗尽服务器内存。",
    ),
    "memory.decode_busy": (
        "The server is busy with other uploads right now; upload the file again in a few "
        "seconds.",
        "服务器正忙于处理其他上传；请过几秒再上传此文件。",
    ),
    "memory.too_large": (
        "At full resolution this convolution would need about {need} MB of working memory, over "
        "the {limit} MB one request may use, so it was computed on the {w}×{h} working copy. "
        "For a full-resolution result use a stride, the grey image or a smaller photo.",
        "按原始分辨率计算此卷积约需 {need} MB 工作内存，超过单次请求允许的 {limit} MB，因此改在 "
        "{w}×{h} 的工作副本上计算。若要原始分辨率的结果，请使用步幅、灰度图像或更小的照片。",
    ),
    "memory.busy": (
        "The server is busy with other people's work, so this result was computed on the "
        "{w}×{h} working copy. Try full resolution again in a moment.",
        "服务器正忙于处理其他人的计算，因此此结果改在 {w}×{h} 的工作副本上计算。请稍后再试原始"
        "分辨率。",
    ),
    "memory.retry": ("Try full resolution again", "重新按原始分辨率计算"),
    "image.current": ("Current: {name}, {w}×{h}, {kind}", "当前：{name}，{w}×{h}，{kind}"),
    "image.kind.grey": ("grey", "灰度"),
    "image.kind.colour": ("{c} channels", "{c} 通道"),
    "image.downscaled": (
        "Shown at {w}×{h} to fit the screen; the maths runs on the full {fw}×{fh} image.",
        "为适应屏幕显示为 {w}×{h}；计算使用完整的 {fw}×{fh} 图像。",
    ),
    "image.preview_note": (
        "Fast preview: computing on a {w}×{h} copy.",
        "快速预览：在 {w}×{h} 的副本上计算。",
    ),
    "image.bad_upload": (
        "Could not use {name}: {message} The previous image is kept.",
        "无法使用 {name}：{message} 已保留之前的图像。",
    ),
    "image.notes": ("About this file", "文件说明"),
    # Notes of the decoder (filters.image_io.Note codes); fields are the note's values.
    "note.first_frame": (
        "Animated file ({frames} frames): only the first frame is used.",
        "动画文件（共 {frames} 帧）：只使用第一帧。",
    ),
    "note.exif_rotated": (
        "Turned upright using the EXIF orientation ({orientation}).",
        "已按 EXIF 方向信息（{orientation}）旋转为正向。",
    ),
    "note.exif_unreadable": (
        "The EXIF data is unreadable; shown as stored.",
        "EXIF 信息无法读取；按存储方向显示。",
    ),
    "note.alpha_composited": (
        "Transparent areas were composited on the background {background}.",
        "透明区域已合成到背景色 {background} 上。",
    ),
    "note.sixteen_bit": ("16-bit image: values divided by 65535.", "16 位图像：数值除以 65535。"),
    "note.reduced_to_8_bit": (
        "16-bit colour was reduced to 8 bits per channel by the decoder.",
        "解码器已将 16 位彩色降为每通道 8 位。",
    ),
    "note.float_rescaled": (
        "Floating-point values from {min:g} to {max:g} were stretched to 0–1.",
        "浮点数值 {min:g} 到 {max:g} 已拉伸到 0–1。",
    ),
    "note.int_rescaled": (
        "Integer values from {min:g} to {max:g} were stretched to 0–1.",
        "整数数值 {min:g} 到 {max:g} 已拉伸到 0–1。",
    ),
    "note.non_finite": ("{count} NaN or infinite values were set to 0.",
                        "{count} 个 NaN 或无穷大的值已设为 0。"),
    "note.cmyk_converted": ("CMYK converted to RGB.", "CMYK 已转换为 RGB。"),
    "note.lab_converted": ("CIE L*a*b* converted to sRGB.", "CIE L*a*b* 已转换为 sRGB。"),
    "note.converted_to_grey": ("Colour converted to grey.", "彩色已转换为灰度。"),
    "note.downscaled": ("The image was downscaled.", "图像已缩小。"),
    "note.extreme_aspect": ("Very elongated image ({width}×{height}).",
                            "图像非常细长（{width}×{height}）。"),
    # --- library ids: kernels, their parameters, samples ------------------------------------------
    # The library keeps each entry's stable id and its English description (for scripts and the
    # command line); the interface shows that same English and the Chinese below, keyed by the id.
    # Read them through kernel_name / kernel_description / param_label / sample_name /
    # sample_description, or option_format("kernel.", ".name") for a list of ids.
    "kernel.identity.name": ("Identity", "恒等"),
    "kernel.identity.description": (_kernel_en("identity"), "恒等卷积核：中心为 1，图像保持不变。"),
    "kernel.box_blur.name": ("Box blur", "均值模糊"),
    "kernel.box_blur.description": (_kernel_en("box_blur"), "均值模糊：取 k×k 邻域的平均值。"),
    "kernel.gaussian_blur.name": ("Gaussian blur", "高斯模糊"),
    "kernel.gaussian_blur.description": (_kernel_en("gaussian_blur"),
                                         "高斯模糊：按高斯权重加权平均，过渡平滑。"),
    "kernel.motion_blur.name": ("Motion blur", "运动模糊"),
    "kernel.motion_blur.description": (_kernel_en("motion_blur"),
                                       "运动模糊：沿一条直线取平均，像相机移动时的拖影。"),
    "kernel.sobel_x.name": ("Sobel x", "Sobel 水平梯度"),
    "kernel.sobel_x.description": (_kernel_en("sobel_x"),
                                   "Sobel 水平梯度：检测竖直边缘，并在竖直方向平滑。"),
    "kernel.sobel_y.name": ("Sobel y", "Sobel 竖直梯度"),
    "kernel.sobel_y.description": (_kernel_en("sobel_y"),
                                   "Sobel 竖直梯度：检测水平边缘，并在水平方向平滑。"),
    "kernel.scharr_x.name": ("Scharr x", "Scharr 水平梯度"),
    "kernel.scharr_x.description": (_kernel_en("scharr_x"), "Scharr 水平梯度：比 Sobel 旋转对称性更好。"),
    "kernel.scharr_y.name": ("Scharr y", "Scharr 竖直梯度"),
    "kernel.scharr_y.description": (_kernel_en("scharr_y"), "Scharr 竖直梯度：比 Sobel 旋转对称性更好。"),
    "kernel.prewitt_x.name": ("Prewitt x", "Prewitt 水平梯度"),
    "kernel.prewitt_x.description": (_kernel_en("prewitt_x"), "Prewitt 水平梯度：竖直方向等权平滑。"),
    "kernel.prewitt_y.name": ("Prewitt y", "Prewitt 竖直梯度"),
    "kernel.prewitt_y.description": (_kernel_en("prewitt_y"), "Prewitt 竖直梯度：水平方向等权平滑。"),
    "kernel.vertical_edge.name": ("Vertical edge (notes)", "竖直边缘（笔记）"),
    "kernel.vertical_edge.description": (_kernel_en("vertical_edge"),
                                         "笔记中的竖直边缘卷积核：左列减右列。"),
    "kernel.horizontal_edge.name": ("Horizontal edge", "水平边缘"),
    "kernel.horizontal_edge.description": (_kernel_en("horizontal_edge"),
                                           "竖直边缘卷积核的转置：上行减下行，检测水平边缘。"),
    "kernel.d2l_edge.name": ("d2l edge [1, −1]", "d2l 边缘 [1, −1]"),
    "kernel.d2l_edge.description": (_kernel_en("d2l_edge"),
                                    "d2l 的 1×2 卷积核 [1, −1]：只在相邻像素不同处非零。"),
    "kernel.roberts_x.name": ("Roberts cross x", "Roberts 交叉算子（主对角线）"),
    "kernel.roberts_x.description": (_kernel_en("roberts_x"),
                                     "Roberts 交叉算子：对角方向梯度（偶数尺寸 2×2）。"),
    "kernel.roberts_y.name": ("Roberts cross y", "Roberts 交叉算子（副对角线）"),
    "kernel.roberts_y.description": (_kernel_en("roberts_y"),
                                     "Roberts 交叉算子：另一条对角线（偶数尺寸 2×2）。"),
    "kernel.laplacian_4.name": ("Laplacian (4 neighbours)", "四邻域拉普拉斯"),
    "kernel.laplacian_4.description": (_kernel_en("laplacian_4"),
                                       "四邻域拉普拉斯：二阶导数，检测各方向边缘。"),
    "kernel.laplacian_8.name": ("Laplacian (8 neighbours)", "八邻域拉普拉斯"),
    "kernel.laplacian_8.description": (_kernel_en("laplacian_8"),
                                       "八邻域拉普拉斯：包含对角方向的二阶导数。"),
    "kernel.laplacian_of_gaussian.name": ("Laplacian of Gaussian", "高斯拉普拉斯 (LoG)"),
    "kernel.laplacian_of_gaussian.description": (
        _kernel_en("laplacian_of_gaussian"),
        "高斯拉普拉斯 (LoG)：先高斯平滑再求二阶导，在指定尺度上找边缘。",
    ),
    "kernel.outline.name": ("Outline", "轮廓"),
    "kernel.outline.description": (_kernel_en("outline"), "轮廓：中心乘 8 减去八个邻居，突出轮廓。"),
    "kernel.sharpen.name": ("Sharpen", "锐化"),
    "kernel.sharpen.description": (_kernel_en("sharpen"), "锐化：加强中心、减去四邻域，细节更清晰。"),
    "kernel.unsharp_mask.name": ("Unsharp mask", "反锐化掩模"),
    "kernel.unsharp_mask.description": (_kernel_en("unsharp_mask"),
                                        "反锐化掩模：把高斯模糊去掉的细节按比例加回来。"),
    "kernel.emboss.name": ("Emboss", "浮雕"),
    "kernel.emboss.description": (_kernel_en("emboss"), "浮雕：光从左上方照射的立体效果。"),
    "param.size": ("size", "尺寸"),
    "param.sigma": ("sigma σ", "标准差 σ"),
    "param.length": ("length", "长度"),
    "param.angle": ("angle (°)", "角度 (°)"),
    "param.amount": ("amount", "强度"),
    "sample.china.name": ("Temple (photo)", "古建筑（照片）"),
    "sample.china.description": (
        _sample_en("china"),
        "蓝天下的中式古建筑，640×427 彩色。摄影 danielbuechele（CC BY 2.0），"
        "随 scikit-learn 附带（china.jpg）。",
    ),
    "sample.flower.name": ("Flower (photo)", "花（照片）"),
    "sample.flower.description": (
        _sample_en("flower"),
        "花朵特写，640×427 彩色。摄影 vultilion（CC BY 2.0），随 scikit-learn 附带（flower.jpg）。",
    ),
    "sample.checkerboard.name": ("Checkerboard", "棋盘格"),
    "sample.checkerboard.description": (
        _sample_en("checkerboard"),
        "8 × 8 黑白方格（0 和 1），左上角为黑。两个方向都有边缘，到处是角点。",
    ),
    "sample.step_edge.name": ("Step edge (vertical)", "阶跃边缘（竖直）"),
    "sample.step_edge.description": (
        _sample_en("step_edge"),
        "左半为 0，右半为 1：一条竖直边缘。sobel_x 有响应，sobel_y 没有。",
    ),
    "sample.circle.name": ("Disc", "圆盘"),
    "sample.circle.description": (
        _sample_en("circle"),
        "黑底（0）上的白色圆盘（1），半径为短边的 0.35 倍：各个方向都有边缘。",
    ),
    "sample.gradient.name": ("Gradient ramp", "渐变"),
    "sample.gradient.description": (
        _sample_en("gradient"),
        "亮度从左（0）到右（1）线性上升：平滑图像，边缘滤波器的响应为常数。",
    ),
    "sample.impulse.name": ("Single bright pixel", "单个亮点（冲激）"),
    "sample.impulse.description": (
        _sample_en("impulse"),
        "全零图像正中一个值为 1 的像素（15×15）。卷积（flip=True）画出卷积核本身；"
        "互相关画出旋转 180° 的卷积核。",
    ),
    "sample.notes_5x5.name": ("Notes: 5×5 matrix", "笔记：5×5 矩阵"),
    "sample.notes_5x5.description": (
        _sample_en("notes_5x5"),
        "笔记中滑动窗口示例的 5×5 输入矩阵。原始数值 0…3，未缩放到 0–1，结果与手算一致。",
    ),
    "sample.notes_matrix_4x4.name": ("Notes: 4×4 matrix 1…16", "笔记：4×4 矩阵 1…16"),
    "sample.notes_matrix_4x4.description": (
        _sample_en("notes_matrix_4x4"),
        "笔记中填充示例的 4×4 矩阵 1…16。原始数值 1…16，未缩放到 0–1。",
    ),
    "sample.digit.name": ("Handwritten digit", "手写数字"),
    "sample.digit.description": (
        _sample_en("digit"),
        "scikit-learn digits 中的手写数字 3（8×8，0…16 共 17 级灰度，除以 16）：小型网络所见的输入尺寸。",
    ),
    # --- pages 4–8: options that were shown as raw values -------------------------------------
    "learn.optimizer.adam": ("Adam", "Adam（自适应矩估计）"),
    "learn.optimizer.sgd": ("SGD", "SGD（随机梯度下降）"),
    "lenet.activation.relu": ("ReLU", "ReLU（线性整流）"),
    "lenet.activation.sigmoid": ("sigmoid", "Sigmoid（S 型函数）"),
    # --- landing --------------------------------------------------------------------------------
    "home.tagline": (
        "See and use 2-D convolution on your own images.",
        "在你自己的图像上观察和使用二维卷积。",
    ),
    "home.intro": (
        "Pick an image in the sidebar (a sample or your own upload), then open a page. Every "
        "number comes from the `filters` library, which you can also use from Python and the "
        "command line.",
        "在侧边栏选择图像（示例图像或你上传的图像），然后打开一个页面。所有数值都来自 `filters` 库，"
        "你也可以在 Python 和命令行中使用它。",
    ),
    "home.pages": ("What you can do", "你可以做什么"),
    "home.filter": (
        "Apply classic or custom kernels with stride, padding, dilation, bias; mix colour "
        "channels with a full weight; download the result.",
        "使用经典或自定义卷积核，调节步幅、填充、膨胀和偏置；用完整权重混合颜色通道；下载结果。",
    ),
    "home.padding": (
        "Compare zeros, reflect, replicate and circular padding on your image and on the notes' "
        "4×4 matrix.",
        "在你的图像和笔记中的 4×4 矩阵上比较零填充、反射、复制和循环填充。",
    ),
    "home.pooling": (
        "Max, average and Lp pooling; interpolation next to transposed convolution; the "
        "checkerboard artefact.",
        "最大、平均和 Lp 池化；插值与转置卷积对比；棋盘格伪影。",
    ),
    "home.explain": (
        "Step through a convolution and solve the size formula backwards.",
        "逐步演示卷积，并反向求解尺寸公式。",
    ),
    "home.learn": ("Recover a hidden kernel by gradient descent.", "用梯度下降恢复隐藏的卷积核。"),
    "home.lenet": ("Train LeNet-5 live and look inside it.", "实时训练 LeNet-5 并观察其内部。"),
    "home.receptive": (
        "See the receptive field of a layer stack on your photo.",
        "在你的照片上查看多层网络的感受野。",
    ),
    "home.bench": (
        "Speed against OpenCV, SciPy and PyTorch.",
        "与 OpenCV、SciPy、PyTorch 的速度对比。",
    ),
    "home.preview": ("Current image", "当前图像"),
    "home.preview_caption": ("{w}×{h} pixels", "{w}×{h} 像素"),
    "home.picker_hint": (
        "Change the image, grey/colour and the language in the sidebar; the choice follows you "
        "to every page.",
        "在侧边栏更换图像、灰度/彩色和语言；你的选择在所有页面中保持不变。",
    ),
    "home.python": ("The same in Python", "在 Python 中同样可用"),
    "home.cli": (
        "Or on the command line: python -m filters apply photo.jpg -o edges.png --kernel sobel_x",
        "或在命令行中：python -m filters apply photo.jpg -o edges.png --kernel sobel_x",
    ),
    # --- kernel editor (Filter page and others) --------------------------------------------------
    "kernel.tab_text": ("Text", "文本"),
    "kernel.tab_grid": ("Grid", "表格"),
    "kernel.text_label": ("Kernel rows", "卷积核（按行）"),
    "kernel.text_help": (
        "Rows of numbers: spaces or commas between numbers, new lines or ';' between rows; "
        "fractions like 1/16; an optional first line with a single factor (e.g. 1/9).",
        "按行输入数字：数字之间用空格或逗号，行之间用换行或分号；可用 1/16 这样的分数；"
        "第一行可以是单独一个系数（如 1/9）。",
    ),
    "kernel.rows": ("Rows", "行数"),
    "kernel.cols": ("Columns", "列数"),
    "kernel.grid_help": (
        "Double-click a cell, type a number and press Enter: the Text tab follows the grid.",
        "双击单元格，输入数字后按回车：“文本”标签页会随表格更新。",
    ),
    "kernel.grid_needs_text": (
        "Type a valid kernel in the Text tab first.",
        "请先在“文本”标签页中输入有效的卷积核。",
    ),
    "kernel.grid_last_good": (
        "The text has an error; the grid shows the last valid kernel (editing it replaces the text).",
        "文本有错误；表格显示上一个有效的卷积核（编辑表格将替换文本）。",
    ),
    "kernel.weight_cut": ("Only the first 8×8 kernels are drawn.", "只绘制前 8×8 个卷积核。"),
    "source.custom": ("typed", "自定义"),
    "source.catalogue": ("catalogue", "卷积核库"),
    "source.learned": ("learned", "学习得到"),
    "source.lenet": ("LeNet", "LeNet"),
    "source.uploaded": ("uploaded", "上传"),
    # --- filter page --------------------------------------------------------------------------
    "filter.title": ("Filter", "滤波"),
    "filter.caption": (
        "Slide a kernel over the image: each output pixel is the sum of the kernel times the "
        "pixels under it (cross-correlation, as in PyTorch).",
        "让卷积核在图像上滑动：每个输出像素是卷积核与其覆盖像素的乘积之和（互相关，与 PyTorch 相同）。",
    ),
    "filter.kernel_header": ("Kernel", "卷积核"),
    "filter.source": ("Kernel from", "卷积核来源"),
    "filter.source.catalogue": ("Catalogue", "卷积核库"),
    "filter.source.custom": ("Type your own", "自定义"),
    "filter.source.library": ("My kernels", "我的卷积核"),
    "filter.source.mix": ("Mix channels", "通道混合"),
    "filter.category": ("Category", "类别"),
    "category.edge": ("Edges", "边缘"),
    "category.blur": ("Blur", "模糊"),
    "category.sharpen": ("Sharpen", "锐化"),
    "category.other": ("Other", "其他"),
    "filter.kernel": ("Kernel", "卷积核"),
    "filter.separable_yes": ("separable (two 1-D passes)", "可分离（两次一维卷积）"),
    "filter.separable_no": ("not separable", "不可分离"),
    "filter.gallery": ("All {n} kernels of this category", "此类别的全部 {n} 个卷积核"),
    "filter.gallery.name": ("name", "名称"),
    "filter.gallery.size": ("size", "尺寸"),
    "filter.gallery.separable": ("separable", "可分离"),
    "filter.gallery.what": ("what it does", "作用"),
    "filter.custom_text": (
        "Rows of numbers (spaces or commas; ';' or new lines between rows; "
        "fractions like 1/16; an optional first line with a factor)",
        "按行输入数字（空格或逗号分隔；行之间用分号或换行；可用 1/16 这样的分数；"
        "第一行可以是一个系数）",
    ),
    "filter.heatmap": ("Kernel values ({shape})", "卷积核数值（{shape}）"),
    "filter.kernel_sum": (
        "Sum of the values: {s:.4g} (1 keeps the brightness, 0 keeps only changes)",
        "数值之和：{s:.4g}（为 1 时保持亮度，为 0 时只保留变化）",
    ),
    "filter.edit_copy": ("Edit a copy", "编辑副本"),
    "filter.library_empty": (
        "Your kernel library is empty: save a kernel from this page, the Learn page or LeNet, "
        "or add a JSON / text file.",
        "你的卷积核库为空：可以在本页、“学习卷积核”页或 LeNet 页保存卷积核，或添加 JSON / 文本文件。",
    ),
    "filter.library_pick": ("Saved kernel", "已保存的卷积核"),
    "filter.library_entry": ("{shape} · {source}", "{shape} · {source}"),
    "filter.library_upload": ("Add kernels from a file (.json or .txt)", "从文件添加卷积核（.json 或 .txt）"),
    "filter.library_upload_help": (
        "JSON: a list of {\"name\", \"values\", \"source\", \"meta\"} objects, as downloaded here. "
        "Text: one kernel as rows of numbers.",
        "JSON：由 {\"name\", \"values\", \"source\", \"meta\"} 对象组成的列表（与此处下载的格式相同）。"
        "文本：按行书写的一个卷积核。",
    ),
    "filter.library_added": ("Added {n} kernel(s) to your library.", "已向你的卷积核库添加 {n} 个卷积核。"),
    "filter.library_download": ("Download all (.json)", "全部下载（.json）"),
    "filter.library_remove": ("Remove “{name}”", "删除“{name}”"),
    "filter.save_name": ("Save this kernel as", "将此卷积核保存为"),
    "filter.save": ("Save to my kernels", "保存到我的卷积核"),
    "filter.saved": ("Saved “{name}”.", "已保存“{name}”。"),
    "filter.mix_preset": ("Weight C_out×C_in×k×k", "权重 C_out×C_in×k×k"),
    "filter.mix.to_grey": (
        "RGB → one channel: weighted channels, then a kernel",
        "RGB → 单通道：通道加权后再应用卷积核",
    ),
    "filter.mix.per_channel": ("A different kernel on each channel", "每个通道使用不同的卷积核"),
    "filter.mix.swap": ("Swap red and blue (1×1 kernel)", "交换红蓝通道（1×1 卷积核）"),
    "filter.mix.npy": ("My weight (.npy file)", "我的权重（.npy 文件）"),
    "filter.mix_kernel": ("Kernel", "卷积核"),
    "filter.mix_w.r": ("weight of R", "R 的权重"),
    "filter.mix_w.g": ("weight of G", "G 的权重"),
    "filter.mix_w.b": ("weight of B", "B 的权重"),
    "filter.mix_channel.r": ("kernel on R", "R 通道卷积核"),
    "filter.mix_channel.g": ("kernel on G", "G 通道卷积核"),
    "filter.mix_channel.b": ("kernel on B", "B 通道卷积核"),
    "filter.mix_npy": ("Weight file (.npy)", "权重文件（.npy）"),
    "filter.mix_npy_help": (
        "A NumPy array C_out×C_in×kh×kw saved with np.save; C_in must be {c} for this image.",
        "用 np.save 保存的 NumPy 数组 C_out×C_in×kh×kw；对于当前图像 C_in 必须为 {c}。",
    ),
    "filter.mix_npy_waiting": (
        "Upload a C_out×{c}×kh×kw weight saved with np.save.",
        "请上传用 np.save 保存的 C_out×{c}×kh×kw 权重。",
    ),
    "filter.mix_needs_colour": (
        "Channel mixing needs a colour image: switch Colour to RGB in the sidebar.",
        "通道混合需要彩色图像：请在侧边栏将颜色切换为 RGB。",
    ),
    "filter.weight_shape": (
        "Weight shape C_out×C_in×kh×kw = {shape}: each output channel sums a kernel over every "
        "input channel (notes §1.5).",
        "权重形状 C_out×C_in×kh×kw = {shape}：每个输出通道对所有输入通道的卷积结果求和（笔记 §1.5）。",
    ),
    "filter.settings": ("Convolution settings", "卷积设置"),
    "filter.padding_kind": ("Padding", "填充"),
    "filter.padding.same": ("same (keep size)", "same（保持尺寸）"),
    "filter.padding.valid": ("valid (none)", "valid（不填充）"),
    "filter.padding.custom": ("number", "指定数值"),
    "filter.padding_amount": ("Padding (pixels per side)", "填充（每边像素数）"),
    "filter.flip": ("True convolution (rotate kernel 180°)", "真正的卷积（卷积核旋转 180°）"),
    "filter.flip_help": (
        "Off: cross-correlation, what CNNs compute. On: the mathematical convolution.",
        "关闭：互相关，即 CNN 实际计算的运算。开启：数学意义上的卷积。",
    ),
    "settings.stride_help": (
        "How far the window moves between outputs; stride 2 halves the size.",
        "窗口每次移动的距离；步幅为 2 时尺寸减半。",
    ),
    "settings.dilation_help": (
        "Spacing between kernel taps: a 3×3 kernel with dilation 2 covers 5×5 with 9 weights.",
        "卷积核元素之间的间距：膨胀为 2 的 3×3 卷积核用 9 个权重覆盖 5×5 区域。",
    ),
    "settings.padding_help": (
        "same: pad so that the output keeps the input size (stride 1). valid: no padding. "
        "number: that many pixels on every side.",
        "same：填充使输出保持输入尺寸（步幅为 1）。valid：不填充。指定数值：每边填充相应像素。",
    ),
    "settings.backend_help": (
        "All backends give the same numbers (to 1e-4); auto picks the fastest for the case.",
        "所有后端结果一致（误差 1e-4 以内）；auto 自动选择最快的后端。",
    ),
    "settings.backend_auto": ("auto (fastest)", "auto（最快）"),
    "settings.bias_help": ("Added to every output value.", "加到每个输出值上。"),
    "settings.formula_terms": (
        "n: input size, k: kernel size, p₁ p₂: padding before/after, d: dilation, s: stride.",
        "n：输入尺寸，k：卷积核尺寸，p₁ p₂：前/后填充，d：膨胀，s：步幅。",
    ),
    "settings.effective": (
        "Dilation {d}: the {kh}×{kw} kernel spans {eh}×{ew} pixels (1 + d(k−1)).",
        "膨胀 {d}：{kh}×{kw} 的卷积核覆盖 {eh}×{ew} 像素（1 + d(k−1)）。",
    ),
    "settings.same_note": (
        "same: the padding is chosen so that n' = n; an even span pads one more on the bottom/right.",
        "same：自动选择填充使 n' = n；跨度为偶数时下方/右侧多填充一个像素。",
    ),
    "filter.formula": ("Output size", "输出尺寸"),
    "filter.normalize": ("Show the output as", "输出显示方式"),
    "filter.normalize.clip": ("clip to 0…1", "截断到 0…1"),
    "filter.normalize.abs": ("absolute value", "绝对值"),
    "filter.normalize.minmax": ("stretch min…max", "按最小–最大拉伸"),
    "filter.normalize_help": (
        "Edge kernels give negative values: clip hides them, absolute value shows edges of both "
        "signs, min…max maps the smallest value to black and the largest to white.",
        "边缘卷积核会产生负值：截断会隐藏它们，绝对值同时显示正负边缘，最小–最大拉伸把最小值映射为黑、最大值映射为白。",
    ),
    "filter.input_caption": ("Input · {h}×{w}", "输入 · {h}×{w}"),
    "filter.output_caption": ("Output · {h}×{w}", "输出 · {h}×{w}"),
    "filter.computing": ("Convolving…", "正在计算卷积…"),
    "filter.no_output": (
        "No output yet: fix the message above.",
        "暂无输出：请先处理上方的提示。",
    ),
    "filter.channel": ("Output channel", "输出通道"),
    "filter.download_png": ("Output PNG", "输出 PNG"),
    "filter.download_npy": ("Output .npy", "输出 .npy"),
    "filter.download_text": ("Kernel .txt", "卷积核 .txt"),
    "filter.download_json": ("Kernel .json", "卷积核 .json"),
    "filter.download_weight": ("Weight .npy", "权重 .npy"),
    "filter.seconds": (
        "computed in {ms:.0f} ms with the {backend} backend",
        "使用 {backend} 后端，用时 {ms:.0f} 毫秒",
    ),
    # --- padding page -------------------------------------------------------------------------
    "padding.title": ("Padding", "填充"),
    "padding.caption": (
        "Padding adds pixels around the image so the kernel can reach the border. The four "
        "modes of PyTorch fill them differently.",
        "填充在图像四周添加像素，使卷积核能够覆盖边缘。PyTorch 的四种模式填充方式不同。",
    ),
    "padding.amount": ("Padding (pixels)", "填充宽度（像素）"),
    "padding.amount_help": (
        "Up to {n} pixels per side; reflect needs less than the image side.",
        "每边最多 {n} 像素；reflect 要求填充小于图像边长。",
    ),
    "padding.tiny": (
        "The image is only {w}×{h}: padding is fixed at 1 (reflect needs padding < side).",
        "图像只有 {w}×{h}：填充固定为 1（reflect 要求填充小于边长）。",
    ),
    "padding.modes": ("The four modes on your image", "四种模式作用于你的图像"),
    "padding.what.zeros": ("A frame of zeros (black).", "用零（黑色）围成一圈。"),
    "padding.what.reflect": (
        "Mirror image without repeating the edge pixel.",
        "镜像填充，不重复边缘像素。",
    ),
    "padding.what.replicate": ("The edge pixel stretched outwards.", "把边缘像素向外延伸。"),
    "padding.what.circular": (
        "The opposite side wraps around (the image tiles).",
        "用对侧的像素循环填充（图像平铺）。",
    ),
    "padding.notes": ("The notes' 4×4 matrix padded by 1", "笔记中的 4×4 矩阵，填充 1"),
    "padding.notes_caption": (
        "Exactly the tensors printed in notes §2.6, computed by filters.pad; the padded "
        "cells are shaded.",
        "与笔记 §2.6 中打印的张量完全相同，由 filters.pad 计算；阴影为填充的单元格。",
    ),
    "padding.table": ("The same modes in NumPy, SciPy, OpenCV and PyTorch",
                      "NumPy、SciPy、OpenCV 和 PyTorch 中对应的模式名称"),
    "padding.table_caption": (
        "Trap: SciPy's 'reflect' is NumPy's 'symmetric' (it repeats the edge pixel), not "
        "PyTorch's reflect.",
        "陷阱：SciPy 的 'reflect' 对应 NumPy 的 'symmetric'（会重复边缘像素），并不是 PyTorch 的 reflect。",
    ),
    "padding.table.mode": ("mode", "模式"),
    "padding.table.example": ("1 2 3 padded by 2", "1 2 3 填充 2"),
    "padding.border": (
        "What each mode does to the border of a filtered image",
        "每种模式对滤波结果边缘的影响",
    ),
    "padding.border_caption": (
        "The same filter, padding 'same', zoomed on one corner: zeros darkens a blurred border, "
        "circular brings in the opposite side, reflect and replicate continue the image.",
        "相同的滤波器、same 填充，放大某个角：零填充使模糊后的边缘变暗，循环填充引入对侧内容，"
        "反射和复制则延续图像。",
    ),
    "padding.border_kernel": ("Filter", "滤波器"),
    "padding.border.blur": ("box blur 15×15", "15×15 均值模糊"),
    "padding.border.edge": ("Sobel x", "Sobel x"),
    "padding.corner": ("Corner", "角"),
    "padding.corner.tl": ("top left", "左上"),
    "padding.corner.tr": ("top right", "右上"),
    "padding.corner.bl": ("bottom left", "左下"),
    "padding.corner.br": ("bottom right", "右下"),
    "padding.profile": (
        "The output along the image border ({n} pixels from the corner)",
        "沿图像边缘的输出（从角点起 {n} 个像素）",
    ),
    "padding.profile_x": ("pixels from the corner", "距角点的像素数"),
    "padding.profile_y": ("output value", "输出值"),
    "padding.code_help": (
        "The same padding in each library (their mode names differ).",
        "各个库中的相同填充（模式名称各不相同）。",
    ),
    # --- how convolution works --------------------------------------------------------------
    "explain.title": ("How convolution works", "卷积如何计算"),
    "explain.caption": (
        "Slide the window one step at a time: multiply the kernel with the pixels under it, add "
        "the products (and the bias), and write the sum into the output.",
        "一步一步滑动窗口：卷积核与其覆盖的像素逐元素相乘，乘积求和（再加偏置），写入输出。",
    ),
    "explain.data": ("Input", "输入"),
    "explain.data.notes": ("The 5×5 matrix of notes §0.2", "笔记 §0.2 中的 5×5 矩阵"),
    "explain.data.patch": ("A patch of my image (grey levels 0–255)", "我的图像中的一块（灰度 0–255）"),
    "explain.data.channels": ("Two channels + bias (d2l 6.4)", "双通道 + 偏置（d2l 6.4）"),
    "explain.patch_row": ("Patch top row", "区块起始行"),
    "explain.patch_col": ("Patch left column", "区块起始列"),
    "explain.patch_size": ("Patch size", "区块尺寸"),
    "explain.kernel": ("Kernel", "卷积核"),
    "explain.kernel.notes": ("vertical edge [[1,0,−1]]×3", "竖直边缘 [[1,0,−1]]×3"),
    "explain.step": ("Step", "步骤"),
    "explain.single_step": ("Only one window position: the output is a single cell, shown below.",
                            "只有一个窗口位置：输出只有一个单元格，见下方。"),
    "explain.patch_small": ("The image is smaller than a {size}×{size} patch: using all of it "
                            "({h}×{w}).",
                            "图像小于 {size}×{size} 的区块：使用整幅图像（{h}×{w}）。"),
    "explain.prev": ("◀ Previous", "◀ 上一步"),
    "explain.next": ("Next ▶", "下一步 ▶"),
    "explain.play": ("Play", "自动播放"),
    "explain.speed": ("Steps per second", "每秒步数"),
    "explain.padded": ("Input (padded: shaded)", "输入（阴影为填充）"),
    "explain.kernel_slid": ("Kernel as slid", "实际滑动的卷积核"),
    "explain.kernel_rotated": ("Kernel rotated 180° (true convolution)", "旋转 180° 的卷积核（真正的卷积）"),
    "explain.products": ("Element-wise products", "逐元素乘积"),
    "explain.output": ("Output (filled so far)", "输出（已计算部分）"),
    "explain.sum": ("Output[{i}, {j}] = Σ products{bias} = {value}", "输出[{i}, {j}] = Σ 乘积{bias} = {value}"),
    "explain.channel_slice": ("Channel {c}", "通道 {c}"),
    "explain.solver": ("Size formula solver", "尺寸公式求解器"),
    "explain.solver_kind": ("Layer", "层类型"),
    "explain.kind.conv": ("convolution", "卷积"),
    "explain.kind.pool": ("pooling", "池化"),
    "explain.kind.convT": ("transposed convolution", "转置卷积"),
    "explain.n": ("Input size n", "输入尺寸 n"),
    "explain.k": ("Kernel size k", "卷积核尺寸 k"),
    "explain.output_padding": ("output_padding", "输出填充 output_padding"),
    "explain.presets": ("The notes' examples", "笔记中的例子"),
    "explain.preset": ("Load", "载入"),
    "explain.forward": ("Forwards", "正向计算"),
    "explain.backwards": ("Backwards", "反向求解"),
    "explain.floor_warning": (
        "Not exact: {num}/{s} is rounded down, so the last {rest} pixel(s) of the padded input are never read.",
        "不能整除：{num}/{s} 向下取整，填充后输入的最后 {rest} 个像素不会被读取。",
    ),
    "explain.want_same": ("Padding that keeps {n}: p = {p}", "保持尺寸 {n} 的填充：p = {p}"),
    "explain.target": ("Target output size", "目标输出尺寸"),
    "explain.want_stride": ("Stride that gives {target}: s = {s}", "得到 {target} 的步幅：s = {s}"),
    "explain.want_op": ("output_padding that restores {target} after a transposed convolution: {op}",
                        "转置卷积恢复到 {target} 所需的 output_padding：{op}"),
    "explain.no_solution": ("No answer: {message}", "无解：{message}"),
    "explain.transposed": ("Transposed convolution = zero insertion + padding + convolution",
                           "转置卷积 = 插零 + 填充 + 卷积"),
    "explain.transposed_caption": (
        "Notes §1.15: insert stride−1 zeros between pixels, pad by d(k−1)−p (plus output_padding at "
        "the bottom/right), then run an ordinary convolution with the kernel rotated 180°.",
        "笔记 §1.15：在像素之间插入 stride−1 个零，四周填充 d(k−1)−p（output_padding 加在下方和右侧），"
        "再用旋转 180° 的卷积核做普通卷积。",
    ),
    "explain.zero_inserted": ("Zero-inserted and padded", "插零并填充后"),
    "explain.transposed_out": ("Result = F.conv_transpose2d", "结果 = F.conv_transpose2d"),
    "preset.s000": ("5×5 ⊛ 3×3 → 3×3 (notes §0.2)", "5×5 ⊛ 3×3 → 3×3（笔记 §0.2）"),
    "preset.down": ("32 → 16: k3 s2 p1 (notes §0.9)", "32 → 16：k3 s2 p1（笔记 §0.9）"),
    "preset.up": ("16 → 32: transposed k3 s2 p1 op1 (notes §0.11)", "16 → 32：转置卷积 k3 s2 p1 op1（笔记 §0.11）"),
    "preset.five": ("3 → 5: transposed k3 s2 p1 (notes §1.17)", "3 → 5：转置卷积 k3 s2 p1（笔记 §1.17）"),
    "preset.six": ("3 → 6: transposed k3 s2 p1 op1 (notes §1.17)", "3 → 6：转置卷积 k3 s2 p1 op1（笔记 §1.17）"),
    "preset.dilated": ("dilation 2: effective 1+d(k−1) = 5 (notes §1.9)", "膨胀 2：有效尺寸 1+d(k−1) = 5（笔记 §1.9）"),
    "preset.lenet": ("LeNet conv1: 28, k5 p2 → 28 (notes §3.13)", "LeNet 第一层：28，k5 p2 → 28（笔记 §3.13）"),
    # --- pooling & upsampling ---------------------------------------------------------------
    "pool.title": ("Pooling & upsampling", "池化与上采样"),
    "pool.caption": (
        "Pooling shrinks an image by summarising windows; upsampling enlarges it by interpolation "
        "or by a transposed convolution, whose kernel can be learned.",
        "池化用窗口的汇总值缩小图像；上采样通过插值或转置卷积放大图像，转置卷积的卷积核可以学习。",
    ),
    "pool.pooling": ("Pooling", "池化"),
    "pool.mode": ("Mode", "方式"),
    "pool.mode.max": ("max", "最大值"),
    "pool.mode.avg": ("average", "平均值"),
    "pool.mode.lp": ("Lp norm", "Lp 范数"),
    "pool.kernel": ("Window", "窗口"),
    "pool.padding_help": (
        "At most half the window (torch's rule); max pooling pads with −∞, average with zeros.",
        "最多为窗口的一半（torch 的规则）；最大池化用 −∞ 填充，平均池化用零填充。",
    ),
    "pool.p": ("p of the Lp norm", "Lp 范数的 p"),
    "pool.ceil": ("ceil_mode (round the size up)", "ceil_mode（尺寸向上取整）"),
    "pool.ceil_help": (
        "Round the output size up, so a last partial window is kept.",
        "输出尺寸向上取整，保留最后一个不完整的窗口。",
    ),
    "pool.ceil_note": (
        "With ceil_mode, a window that would start inside the right padding is dropped (as in "
        "torch), so the size can be one less than the rounded-up formula.",
        "使用 ceil_mode 时，起点落在右侧填充中的窗口会被丢弃（与 torch 相同），因此尺寸可能比向上取整的公式少 1。",
    ),
    "pool.include_pad": ("count padded zeros in the average", "平均时计入填充的零"),
    "pool.chain": ("Size chain: {h}×{w} → {oh}×{ow}", "尺寸变化：{h}×{w} → {oh}×{ow}"),
    "pool.zoom_in": ("Centre {n}×{n} of the input, enlarged", "输入中心 {n}×{n}（放大显示）"),
    "pool.zoom_out": ("The same pooled: {h}×{w}, enlarged", "池化后：{h}×{w}（放大显示）"),
    "pool.winners": ("Which pixel won: 2×2 max pooling on an 8×8 patch",
                     "哪个像素胜出：在 8×8 区块上做 2×2 最大池化"),
    "pool.winners_caption": (
        "Grey levels 0–255 of the patch; the framed cells are the maxima that max pooling keeps "
        "(return_indices).",
        "区块的灰度值 0–255；加框的单元格是最大池化保留的最大值（return_indices）。",
    ),
    "pool.patch_row": ("Patch top row", "区块起始行"),
    "pool.patch_col": ("Patch left column", "区块起始列"),
    "pool.patch_in": ("Patch (winners framed)", "区块（胜出像素加框）"),
    "pool.patch_out": ("Max pooled", "最大池化结果"),
    "pool.code_help": ("The same pooling in each library.", "各个库中的相同池化。"),
    "pool.upsampling": ("Upsampling", "上采样"),
    "pool.upsampling_caption": (
        "Interpolation has no weights; a transposed convolution spreads every pixel as a scaled "
        "copy of its kernel, and the kernel can be learned (notes §1.16).",
        "插值没有参数；转置卷积把每个像素按其数值缩放后的卷积核副本铺开，卷积核可以学习（笔记 §1.16）。",
    ),
    "pool.factor": ("Factor", "倍数"),
    "pool.crop": (
        "The centre {n}×{n} pixels, upsampled (drawn enlarged without smoothing).",
        "中心 {n}×{n} 像素的上采样结果（放大显示，未做平滑）。",
    ),
    "pool.transposed": ("Transposed convolution", "转置卷积"),
    "pool.tkernel": ("Kernel of the transposed convolution", "转置卷积的卷积核"),
    "pool.tkernel.bilinear": ("bilinear (FCN initialisation)", "双线性（FCN 初始化）"),
    "pool.tkernel.custom": ("my kernel", "自定义卷积核"),
    "pool.bilinear_note": (
        "{k}×{k} bilinear kernel, stride {s}, padding {p}: equals bilinear interpolation away "
        "from the border.",
        "{k}×{k} 双线性卷积核，步幅 {s}，填充 {p}：在远离边缘处等于双线性插值。",
    ),
    "pool.output_padding": ("output_padding", "输出填充 output_padding"),
    "pool.output_padding_help": (
        "Extra rows/columns on the bottom/right; must be smaller than the stride (notes §1.17).",
        "在下方/右侧额外增加的行列数；必须小于步幅（笔记 §1.17）。",
    ),
    "pool.zero_inserted": ("Zero insertion, the first step of a transposed convolution",
                           "插零：转置卷积的第一步"),
    "pool.zero_inserted_caption": (
        "Stride {s}: stride − 1 zeros go between neighbouring pixels; a convolution then fills "
        "the holes. The numbers: the top-left 3×3 pixels (grey levels) after insertion.",
        "步幅 {s}：相邻像素之间插入 stride − 1 个零，再由卷积填补空洞。数字为左上角 3×3 像素插零后的灰度值。",
    ),
    "pool.zi_input": ("Input {n}×{n}", "输入 {n}×{n}"),
    "pool.zi_inserted": ("Zeros inserted: {h}×{w}", "插零后：{h}×{w}"),
    "pool.zi_output": ("Transposed convolution: {h}×{w}", "转置卷积结果：{h}×{w}"),
    "pool.round_trip": ("The notes' round trip: 32 → 16 → 32", "笔记中的往返：32 → 16 → 32"),
    "pool.round_trip_text": (
        "A 3×3 convolution with stride 2 and padding 1 maps 32 to {down}; a transposed "
        "convolution with the same kernel size, stride and padding gives {five} — "
        "output_padding 1 restores {up}. Shown on the centre 32×32 of your image (3×3 average "
        "down, 3×3 tent kernel up).",
        "步幅 2、填充 1 的 3×3 卷积把 32 变为 {down}；相同卷积核尺寸、步幅、填充的转置卷积得到 {five}，"
        "加上 output_padding 1 恢复为 {up}。以下为你的图像中心 32×32 的结果（下采样用 3×3 均值，上采样用 3×3 帐篷形卷积核）。",
    ),
    "pool.round_trip_small": (
        "The round trip needs an image of at least 32×32 pixels.",
        "往返演示需要至少 32×32 像素的图像。",
    ),
    "pool.rt_input": ("input", "输入"),
    "pool.rt_down": ("conv, stride 2", "卷积，步幅 2"),
    "pool.rt_short": ("transposed, output_padding 0", "转置卷积，output_padding 0"),
    "pool.rt_up": ("transposed, output_padding 1", "转置卷积，output_padding 1"),
    "pool.checkerboard": ("The checkerboard artefact: kernel 3, stride 2", "棋盘格伪影：卷积核 3，步幅 2"),
    "pool.checkerboard_text": (
        "A transposed convolution of a flat image with a 3×3 kernel of ones and stride 2: the "
        "kernel's footprints overlap unevenly (3 is not a multiple of 2), so some output pixels "
        "get two contributions and others one or four. A 4×4 kernel with stride 2 overlaps "
        "evenly and leaves no pattern.",
        "用全 1 的 3×3 卷积核、步幅 2 对平坦图像做转置卷积：卷积核的覆盖区域重叠不均匀（3 不是 2 的倍数），"
        "所以有的输出像素得到两份贡献，有的得到一份或四份。步幅 2 的 4×4 卷积核重叠均匀，不会产生图案。",
    ),
    "pool.cb_flat": ("A flat image of ones, kernel 3 stride 2", "全 1 平坦图像，卷积核 3，步幅 2"),
    "pool.cb_three": ("Your image, kernel 3 stride 2: {h}×{w}", "你的图像，卷积核 3，步幅 2：{h}×{w}"),
    "pool.cb_four": ("Bilinear kernel 4 stride 2: {h}×{w}", "双线性卷积核 4，步幅 2：{h}×{w}"),
    "pool.method.nearest": ("nearest", "最近邻"),
    "pool.method.bilinear": ("bilinear", "双线性"),
    "pool.method.bicubic": ("bicubic", "双三次"),
    # --- receptive fields -------------------------------------------------------------------
    "rf.title": ("Receptive fields", "感受野"),
    "rf.caption": (
        "Each output pixel of a stack of layers sees a square of the input: its receptive field. "
        "Stacking small kernels grows it with fewer weights (two 3×3 see 5×5).",
        "多层网络的每个输出像素都对应输入中的一个正方形区域，即感受野。堆叠小卷积核能用更少的权重扩大感受野"
        "（两个 3×3 相当于 5×5）。",
    ),
    "rf.preset": ("Stack", "网络结构"),
    "rf.custom": ("my own stack", "自定义结构"),
    "rf.preset.two_3x3": ("two 3×3", "两个 3×3 卷积"),
    "rf.preset.one_5x5": ("one 5×5", "一个 5×5 卷积"),
    "rf.preset.three_3x3": ("three 3×3", "三个 3×3 卷积"),
    "rf.preset.one_7x7": ("one 7×7", "一个 7×7 卷积"),
    "rf.preset.lenet": ("LeNet", "LeNet"),
    "rf.preset.vgg": ("VGG block", "VGG 块"),
    "rf.preset.resnet": ("ResNet bottleneck", "ResNet 瓶颈块"),
    "rf.preset.mobilenet": ("MobileNet depthwise separable", "MobileNet 深度可分离卷积"),
    "rf.layers": ("Layers (e.g. conv3s2p1c64, pool2, dw3p1, convT3s2p1op1)",
                  "层（例如 conv3s2p1c64、pool2、dw3p1、convT3s2p1op1）"),
    "rf.channels": ("Input channels", "输入通道数"),
    "rf.row": ("Output row", "输出行"),
    "rf.col": ("Output column", "输出列"),
    "rf.window": (
        "Output ({i}, {j}) sees input rows {top}…{bottom} and columns {left}…{right}: "
        "{size}×{size} pixels{padding}.",
        "输出 ({i}, {j}) 对应输入的第 {top}…{bottom} 行、第 {left}…{right} 列：{size}×{size} 像素{padding}。",
    ),
    "rf.in_padding": (" (part of it is padding)", "（部分落在填充区域）"),
    "rf.table": ("Per layer", "逐层统计"),
    "rf.col.layer": ("layer", "层"),
    "rf.col.size": ("output size", "输出尺寸"),
    "rf.col.channels": ("channels", "通道数"),
    "rf.col.rf": ("receptive field", "感受野"),
    "rf.col.jump": ("jump", "跳步"),
    "rf.col.params": ("parameters", "参数量"),
    "rf.col.macs": ("multiply-adds", "乘加次数"),
    "rf.totals": ("Total: {params:,} parameters, {macs:,} multiply-adds", "合计：{params:,} 个参数，{macs:,} 次乘加"),
    # --- learn a kernel ----------------------------------------------------------------------
    "learn.title": ("Learn a kernel", "学习卷积核"),
    "learn.caption": (
        "Give the learner an image and its filtered version; gradient descent on the squared "
        "error finds the kernel (notes §3.5, d2l 6.2.4). The learner never sees which kernel made "
        "the target.",
        "给学习器一张图像和它的滤波结果；对平方误差做梯度下降即可找到卷积核（笔记 §3.5，d2l 6.2.4）。"
        "学习器看不到生成目标的是哪个卷积核。",
    ),
    "learn.target": ("Target", "目标"),
    "learn.target.hidden": ("a hidden catalogue kernel", "隐藏的卷积核库中的卷积核"),
    "learn.target.custom": ("a kernel I type", "我输入的卷积核"),
    "learn.target.pair": ("an after image I upload", "我上传的处理后图像"),
    "learn.hidden_kernel": ("Hidden kernel (the learner does not see it)", "隐藏的卷积核（学习器看不到）"),
    "learn.after_upload": ("The filtered (after) image, same size as the current image",
                           "滤波后（处理后）的图像，尺寸须与当前图像相同"),
    "learn.need_after": ("Upload the after image to learn from the pair.", "请上传处理后的图像以便从图像对中学习。"),
    "learn.size_mismatch": ("The after image is {ah}×{aw} but the current image is {h}×{w}; "
                            "they must be the same size.",
                            "处理后的图像为 {ah}×{aw}，而当前图像为 {h}×{w}；两者尺寸必须相同。"),
    "learn.noise": ("Noise added to the target (standard deviation)", "目标中加入的噪声（标准差）"),
    "learn.kernel_size": ("Kernel size to learn", "要学习的卷积核尺寸"),
    "learn.optimizer": ("Optimizer", "优化器"),
    "learn.lr": ("Learning rate", "学习率"),
    "learn.steps_per_tick": ("Steps per update", "每次刷新执行的步数"),
    "learn.start": ("Start / resume", "开始 / 继续"),
    "learn.pause": ("Pause", "暂停"),
    "learn.reset": ("Reset", "重置"),
    "learn.solve": ("Solve exactly (least squares)", "精确求解（最小二乘）"),
    "learn.status": ("Step {step} · loss {loss:.3e} · {state}", "第 {step} 步 · 损失 {loss:.3e} · {state}"),
    "learn.running": ("running", "运行中"),
    "learn.paused": ("paused", "已暂停"),
    "learn.log": ("Log scale", "对数坐标"),
    "learn.loss_chart": ("Loss (mean squared error)", "损失（均方误差）"),
    "learn.learned": ("Learned kernel", "学到的卷积核"),
    "learn.true": ("True kernel", "真实卷积核"),
    "learn.current_output": ("Input ⊛ learned kernel", "输入 ⊛ 学到的卷积核"),
    "learn.target_image": ("Target", "目标"),
    "learn.residual": ("Residual (what no {k}×{k} kernel explains)", "残差（{k}×{k} 卷积核无法解释的部分）"),
    "learn.error": ("Largest difference from the true kernel: {err:.2e}", "与真实卷积核的最大差值：{err:.2e}"),
    "learn.working": ("Learning on a {h}×{w} grey copy of the current image.", "在当前图像的 {h}×{w} 灰度副本上学习。"),
    "learn.explain_fit": (
        "With noise, or a kernel size different from the true one, there is no exact answer: "
        "gradient descent finds the best fit in the least-squares sense, and the residual shows "
        "what that kernel cannot explain.",
        "如果有噪声，或卷积核尺寸与真实的不同，就没有精确解：梯度下降找到最小二乘意义下的最佳拟合，"
        "残差显示该卷积核无法解释的部分。",
    ),
    "learn.save_name": ("Save the learned kernel as", "将学到的卷积核保存为"),
    "learn.save": ("Save to my kernels", "保存到我的卷积核"),
    "learn.crop": (
        "Learning on a centre crop of {h}×{w} pixels of the {H}×{W} grey image (cropped, not "
        "resized, so the kernel found is the kernel of the full-resolution pair).",
        "在 {H}×{W} 灰度图像的中心裁剪区域（{h}×{w} 像素）上学习（只裁剪、不缩放，"
        "因此得到的就是原分辨率图像对的卷积核）。",
    ),
    "learn.valid": (
        "The fit uses the {h}×{w} outputs where the {k}×{k} kernel lies wholly inside the crop "
        "(no padding).",
        "拟合只使用 {k}×{k} 卷积核完全落在裁剪区域内的 {h}×{w} 个输出（不填充）。",
    ),
    "learn.too_big": (
        "A {k}×{k} kernel does not fit in the {h}×{w} image: choose a kernel size of at most "
        "{most}.",
        "{k}×{k} 卷积核放不进 {h}×{w} 的图像：请选择不超过 {most} 的卷积核尺寸。",
    ),
    "learn.replicate": (
        "The image is too small to reflect the target's padding; the target uses replicate "
        "padding instead.",
        "图像太小，目标无法使用 reflect 填充，改用 replicate 填充。",
    ),
    # --- train LeNet -------------------------------------------------------------------------
    "lenet.title": ("Train LeNet", "训练 LeNet"),
    "lenet.caption": (
        "LeNet-5 (notes §3.13, d2l 6.6): two convolution + pooling stages and three fully "
        "connected layers, trained live. Pause, change the learning rate, resume.",
        "LeNet-5（笔记 §3.13，d2l 6.6）：两个卷积 + 池化阶段和三个全连接层，实时训练。可暂停、修改学习率后继续。",
    ),
    "lenet.dataset": ("Data set", "数据集"),
    "lenet.dataset.digits": ("digits (offline, 8×8 → 28×28)",
                             "scikit-learn 手写数字（离线，8×8 → 28×28）"),
    "lenet.dataset.mnist": ("MNIST", "MNIST"),
    "lenet.dataset.fashion-mnist": ("Fashion-MNIST", "Fashion-MNIST"),
    "lenet.dataset.own": ("my own zip (one folder per class of .png files)",
                          "我自己的 zip（每个类别一个文件夹，内含 .png 文件）"),
    "lenet.data_dir": ("Folder with the four IDX .gz files (empty: download to the cache)",
                       "存放四个 IDX .gz 文件的文件夹（留空：下载到缓存目录）"),
    "lenet.data_folder": ("Data folder inside the app's cache (empty: the default)",
                          "应用缓存目录中的数据文件夹（留空：默认位置）"),
    "lenet.data_folder_help": (
        "Only the app's cache folder or a folder inside it can be used (no '..', no absolute "
        "paths elsewhere), so nothing is written anywhere else on the server. The server "
        "operator may set CONVLAB_DATA_DIR to a folder that already holds the files (read only).",
        "只能使用应用的缓存目录或其中的文件夹（不允许 '..'，也不允许其他位置的绝对路径），因此不会写入服务器上的其他位置。"
        "服务器管理员可以设置 CONVLAB_DATA_DIR 指向已存放这些文件的文件夹（只读）。",
    ),
    "lenet.data_ready": ("The {name} files are already in {folder} (checksums verified): "
                         "nothing to download.",
                         "{name} 文件已在 {folder} 中（校验和已验证）：无需下载。"),
    "lenet.data_missing": ("{n} of the 4 {name} files are missing or damaged in {folder}: "
                           "download the data set before training.",
                           "{folder} 中缺少或损坏了 {name} 的 4 个文件中的 {n} 个：请先下载数据集再训练。"),
    "lenet.data_readonly": ("The {name} files in {folder} are incomplete, and that folder is "
                            "read only.",
                            "{folder} 中的 {name} 文件不完整，且该文件夹是只读的。"),
    "lenet.fetch": ("Download / prepare data set", "下载 / 准备数据集"),
    "lenet.fetching": ("Downloading {file} ({done:.1f} MB)…", "正在下载 {file}（{done:.1f} MB）…"),
    "lenet.need_download": ("The {name} files are not there yet: press “Download / prepare data "
                            "set” first.",
                            "{name} 文件尚未就绪：请先点击“下载 / 准备数据集”。"),
    "lenet.axis_predicted": ("predicted", "预测"),
    "lenet.axis_true": ("true", "真实"),
    "lenet.zip": ("Zip of class folders", "按类别分文件夹的 zip"),
    "lenet.need_zip": ("Upload a zip to train on your own images.", "请上传 zip 以在你自己的图像上训练。"),
    "lenet.zip_ready": ("{n} images in {k} classes.", "{k} 个类别，共 {n} 张图像。"),
    "lenet.resume": ("Continue from a saved model (lenet.zip)", "从保存的模型继续（lenet.zip）"),
    "lenet.resume_help": (
        "The lenet.zip downloaded below after training. Choose the data set it was trained on "
        "first; its own settings (activation, pooling, optimizer, batch) come with it.",
        "训练后在下方下载的 lenet.zip。请先选择训练它时所用的数据集；它自带的设置（激活函数、"
        "池化、优化器、批大小）会随之恢复。",
    ),
    "lenet.restored": (
        "Continuing from step {step} (epoch {epoch}): a {activation} / {pool}-pooling LeNet "
        "trained with {optimizer}, batch {batch}. Changing the settings above starts a new "
        "model.",
        "从第 {step} 步（第 {epoch} 轮）继续：使用 {activation} / {pool} 池化的 LeNet，"
        "以 {optimizer} 训练，批大小 {batch}。修改上方的设置会开始一个新模型。",
    ),
    "lenet.activation": ("Activation", "激活函数"),
    "lenet.pool": ("Pooling", "池化"),
    "lenet.batch": ("Batch size", "批量大小"),
    "lenet.epochs": ("Epochs", "训练轮数"),
    "lenet.per_tick": ("Minibatches per update", "每次刷新训练的小批量数"),
    "lenet.start": ("Start / resume", "开始 / 继续"),
    "lenet.pause": ("Pause", "暂停"),
    "lenet.reset": ("Reset", "重置"),
    "lenet.status": ("Epoch {epoch} · step {step} · loss {loss:.4f} · {speed:.0f} images/s · "
                     "about {left:.0f} s left · {state}",
                     "第 {epoch} 轮 · 第 {step} 步 · 损失 {loss:.4f} · 每秒 {speed:.0f} 张 · 约剩 {left:.0f} 秒 · {state}"),
    "lenet.done": ("Finished: test accuracy {acc:.2%}", "完成：测试准确率 {acc:.2%}"),
    "lenet.loss": ("Loss per step", "每步损失"),
    "lenet.raw": ("raw", "原始"),
    "lenet.smooth": ("smoothed", "平滑"),
    "lenet.accuracy": ("Accuracy per epoch", "每轮准确率"),
    "lenet.train_acc": ("train", "训练集"),
    "lenet.test_acc": ("test", "测试集"),
    "lenet.inside": ("Inside the network", "网络内部"),
    "lenet.confusion": ("Confusion matrix (test set)", "混淆矩阵（测试集）"),
    "lenet.wrong": ("Most confidently wrong test images", "置信度最高的错误分类"),
    "lenet.wrong_caption": ("{pred} ({p:.0%}), truly {true}", "预测 {pred}（{p:.0%}），实际 {true}"),
    "lenet.maps_of": ("Feature maps of", "特征图来源"),
    "lenet.maps.test": ("a test image", "一张测试图像"),
    "lenet.maps.mine": ("my current image (28×28 grey)", "我的当前图像（28×28 灰度）"),
    "lenet.test_index": ("Test image", "测试图像编号"),
    "lenet.prediction": ("Prediction: {label} ({p:.0%})", "预测：{label}（{p:.0%}）"),
    "lenet.conv1": ("conv1: 6 feature maps (28×28)", "conv1：6 张特征图（28×28）"),
    "lenet.conv2": ("conv2: 16 feature maps (10×10)", "conv2：16 张特征图（10×10）"),
    "lenet.kernels": ("conv1 kernels", "conv1 卷积核"),
    "lenet.to_library": ("Add the 6 conv1 kernels to my kernels", "将 6 个 conv1 卷积核加入我的卷积核"),
    "lenet.added": ("Added {n} kernels to your library.", "已将 {n} 个卷积核加入你的卷积核库。"),
    "lenet.download": ("Download the model (.safetensors + .json)", "下载模型（.safetensors + .json）"),
    "lenet.no_torch": ("Training needs PyTorch: pip install torch==2.13.0 (CPU).",
                       "训练需要 PyTorch：pip install torch==2.13.0（CPU 版）。"),
    # --- benchmarks -----------------------------------------------------------------------------
    "bench.title": ("Benchmarks", "性能测试"),
    "bench.caption": (
        "How fast the `filters` library is next to the raw OpenCV, SciPy and PyTorch calls. "
        "A ratio is the time of a call over the fastest raw call of the same case: 1.0 is as "
        "fast as the best library, 2.0 twice as slow.",
        "`filters` 库与 OpenCV、SciPy、PyTorch 原始调用的速度对比。比值是某个调用的耗时除以同一用例中"
        "最快原始调用的耗时：1.0 表示与最快的库一样快，2.0 表示慢一倍。",
    ),
    "bench.run": ("Results", "结果"),
    "bench.run.quick": ("quick run", "快速测试"),
    "bench.run.full": ("full run", "完整测试"),
    "bench.machine": ("Machine: `{machine}` · {name} written {date}",
                      "机器：`{machine}` · {name} 写于 {date}"),
    "bench.unknown_machine": ("not recorded", "未记录"),
    "bench.missing": (
        "No benchmark results yet. Run `{command}` in the repository, then reload this page.",
        "还没有性能测试结果。请在仓库中运行 `{command}`，然后刷新本页。",
    ),
    "bench.unreadable": (
        "The results file {name} cannot be read ({detail}). Write it again with `{command}`.",
        "无法读取结果文件 {name}（{detail}）。请用 `{command}` 重新生成。",
    ),
    "bench.columns": (
        "The results file {name} lacks required columns: {detail}. Write it again with "
        "`{command}`.",
        "结果文件 {name} 缺少必需的列：{detail}。请用 `{command}` 重新生成。",
    ),
    "bench.empty": (
        "The results file {name} has no timed rows. Write it again with `{command}`.",
        "结果文件 {name} 中没有计时数据。请用 `{command}` 重新生成。",
    ),
    "bench.summary": ("Convolution: filters[auto] against the fastest raw call",
                      "卷积：filters[auto] 与最快原始调用对比"),
    "bench.worst": ("Worst filters[auto] ratio", "filters[auto] 最差比值"),
    "bench.worst_case": ("Worst case: `{case}`", "最差用例：`{case}`"),
    "bench.within": ("Cases within {near}× of the fastest", "与最快调用相差不超过 {near}× 的用例"),
    "bench.within_value": ("{within} of {cases}", "{cases} 个中的 {within} 个"),
    "bench.no_auto": ("This file has no convolution rows for filters[auto].",
                      "此文件中没有 filters[auto] 的卷积结果。"),
    "bench.kind": ("Kind", "类别"),
    "bench.kind.conv": ("convolution", "卷积"),
    "bench.kind.pool": ("pooling", "池化"),
    "bench.kind.transposed": ("transposed convolution", "转置卷积"),
    "bench.kind.upsample": ("upsampling", "上采样"),
    "bench.kind.wrapper": ("backend ÷ its own library", "后端 ÷ 其所封装的库"),
    "bench.kind.page": ("page rerun", "页面重新运行"),
    "bench.kind.startup": ("start-up", "启动"),
    "bench.size": ("Image size", "图像尺寸"),
    "bench.channels": ("Channels", "通道"),
    "bench.dtype": ("Data type", "数据类型"),
    "bench.blank": ("(not given)", "（未填写）"),
    "bench.log": ("Logarithmic ratio axis", "对数比值坐标轴"),
    "bench.chart": ("Time over the fastest raw call per case", "各用例耗时相对最快原始调用的倍数"),
    "bench.axis": ("× fastest raw call (red line 1.0, green dashed {near})",
                   "相对最快原始调用的倍数（红线 1.0，绿色虚线 {near}）"),
    "bench.legend": ("Blue, teal and violet bars with a dark outline are our `filters` calls; "
                     "grey and amber bars are raw library calls.",
                     "带深色边框的蓝色、青色和紫色条为我们的 `filters` 调用；灰色和琥珀色条为库的原始调用。"),
    "bench.no_rows": ("No rows match these filters.", "没有符合筛选条件的结果。"),
    "bench.table": ("Results", "结果表"),
    "bench.col.kind": ("kind", "类别"),
    "bench.col.case": ("case", "用例"),
    "bench.col.op": ("operation", "操作"),
    "bench.col.call": ("call", "调用"),
    "bench.col.ms": ("ms (median)", "毫秒（中位数）"),
    "bench.col.ratio": ("× fastest raw", "相对最快原始调用"),
    "bench.col.peak": ("peak MiB", "峰值 MiB"),
    "bench.download": ("Download {name}", "下载 {name}"),
    "bench.timed": ("Page reruns and start-up", "页面重新运行与启动"),
    "bench.timed_caption": ("Wall-clock time of a whole page rerun or of the app's start-up.",
                            "整个页面重新运行或应用启动所用的时间。"),
}


def lang() -> str:
    """The current language code (``"en"`` or ``"zh"``)."""
    value = st.session_state.get(LANG_KEY, "en")
    return value if value in LANGUAGES else "en"


def has_key(key: str) -> bool:
    """Whether ``key`` is a known string."""
    return key in STRINGS


def t(key: str, **values: object) -> str:
    """The string ``key`` in the current language, with ``{fields}`` filled from ``values``.

    Example:
        >>> t("filter.saved", name="edge")  # English session
        'Saved “edge”.'
    """
    return t_in(lang(), key, **values)


def t_in(language: str, key: str, **values: object) -> str:
    """The string ``key`` in ``language`` (``"en"`` or ``"zh"``)."""
    en, zh = STRINGS[key]
    text = zh if language == "zh" else en
    return text.format(**values) if values else text


def option_format(prefix: str, suffix: str = "", *, keys: Mapping[Any, str] | None = None,
                  unknown_as_is: bool = False) -> Callable[[Any], str]:
    """A ``format_func`` for radios, selectboxes, segmented controls and pills.

    Option ``v`` shows the string ``keys[v]`` when ``keys`` names one for it, else
    ``prefix + str(v) + suffix`` (when a prefix or suffix is given). With ``unknown_as_is``, an option with no such string shows as
    it is (``str(v)``): names that read the same in every language (backends, a saved kernel),
    or values read from a data file; without it, a missing string is a ``KeyError``.

    The language is fixed when the function is made (at render time), so the labels a widget
    was drawn with stay consistent when Streamlit formats its value again later.

    Example:
        >>> option_format("mode.")("zeros")  # English session
        'zeros'
        >>> option_format("kernel.", ".name")("sobel_x")
        'Sobel x'
        >>> option_format("", keys={"auto": "settings.backend_auto"}, unknown_as_is=True)("numpy")
        'numpy'
    """
    language = lang()
    table = dict(keys or {})

    def label(value: Any) -> str:
        key = table.get(value) or (f"{prefix}{value}{suffix}" if prefix or suffix else None)
        if key is None or (unknown_as_is and key not in STRINGS):
            if unknown_as_is:
                return str(value)
            raise KeyError(f"No string for option {value!r}: give it a key or unknown_as_is.")
        return t_in(language, key)

    return label


def kernel_name(kernel_id: str) -> str:
    """The display name of catalogue kernel ``kernel_id`` (a key of ``filters.KERNELS``)."""
    return t(f"kernel.{kernel_id}.name")


def kernel_description(kernel_id: str) -> str:
    """What catalogue kernel ``kernel_id`` does, in one sentence of the current language."""
    return t(f"kernel.{kernel_id}.description")


def param_label(param_name: str) -> str:
    """The slider label of a kernel parameter (``filters.kernels.Param.name``: size, sigma…)."""
    return t(f"param.{param_name}")


def sample_name(sample_id: str) -> str:
    """The picker title of built-in image ``sample_id`` (a key of ``filters.SAMPLES``)."""
    return t(f"sample.{sample_id}.name")


def sample_description(sample_id: str) -> str:
    """What built-in image ``sample_id`` shows and where it comes from."""
    return t(f"sample.{sample_id}.description")


def language_switch() -> None:
    """Render the English / 中文 switch; its choice lives in ``st.session_state["lang"]``.

    The first visit may choose the language in the address: ``?lang=zh``. The choice is kept
    for the whole session, on every page (:func:`ui.state.persist`).
    """
    wanted = st.query_params.get("lang", "en")
    st.radio(
        "Language · 语言",
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        horizontal=True,
        **persist(LANG_KEY, wanted if wanted in LANGUAGES else "en"),
    )
