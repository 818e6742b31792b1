"""Build plan documents (.docx) for the from-plan tests: the seed's plan (Kế hoạch sơ kết
Nghị quyết 45-NQ/TW, its outline and both appendices, the tables as real Word tables with merged
header cells) and a second, differently shaped plan (a tổng kết of a directive with one table of
Có/Không tick boxes, dates and percentages). Built into a temporary folder by session fixtures,
never committed as binary files.

The text is the seed's, paragraph by paragraph (two line wraps of the source text joined);
``**bold**`` and ``*italic*`` marks become bold and italic runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docx.table import _Cell

SEED_BODY = """\
KẾ HOẠCH
sơ kết 03 năm thực hiện Nghị quyết số 45-NQ/TW ngày 24/11/2023 của Ban Chấp hành Trung ương, Kế hoạch số 329-KH/TU ngày 19/3/2024 của Ban Chấp hành Đảng bộ tỉnh về tiếp tục xây dựng và phát huy vai trò của đội ngũ trí thức đáp ứng yêu cầu phát triển đất nước nhanh và bền vững trong giai đoạn mới trên địa bàn tỉnh
Căn cứ Kế hoạch số 329-KH/TU ngày 19/3/2024 của Ban Chấp hành Đảng bộ tỉnh về “Thực hiện Nghị quyết số 45-NQ/TW ngày 24/11/2023 của Ban Chấp hành Trung ương Đảng về tiếp tục xây dựng và phát huy vai trò của đội ngũ trí thức đáp ứng yêu cầu phát triển đất nước nhanh và bền vững trong giai đoạn mới trên địa bàn tỉnh”, Ban Thường vụ Tỉnh ủy xây dựng Kế hoạch sơ kết 03 năm thực hiện Nghị quyết số 45-NQ/TW của Ban Chấp hành Trung ương, cụ thể như sau:
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Đánh giá toàn diện công tác lãnh đạo, chỉ đạo và tổ chức triển khai thực hiện Nghị quyết số 45-NQ/TW, Kế hoạch số 329-KH/TU gắn với việc thực hiện nghị quyết, chỉ thị, kết luận của Đảng, chính sách pháp luật của Nhà nước về xây dựng và phát huy vai trò của đội ngũ trí thức đáp ứng yêu cầu phát triển nhanh và bền vững trong giai đoạn mới, trong bối cảnh đã hoàn thành sáp nhập tỉnh và xây dựng chính quyền địa phương hai cấp.
- Qua sơ kết, nêu rõ những việc làm được, mô hình hay, cách làm hiệu quả; chỉ ra tồn tại, hạn chế, khuyết điểm, nguyên nhân khách quan, chủ quan và bài học kinh nghiệm trong thực hiện Nghị quyết số 45-NQ/TW và Kế hoạch số 329-KH/TU.
- Thông qua việc sơ kết, đề ra nhiệm vụ, giải pháp thiết thực để tiếp tục xây dựng và phát huy vai trò của đội ngũ trí thức trong thời gian tới, góp phần thực hiện thắng lợi Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ I, nhiệm kỳ 2025-2030.
2. Yêu cầu
- Hoạt động sơ kết phải được thực hiện nghiêm túc, thực chất, tránh hình thức, đúng tiến độ và thời gian quy định.
- Qua sơ kết, đánh giá đầy đủ mức độ đạt được của từng mục tiêu đã đề ra, đồng thời phân tích làm rõ những hạn chế, khó khăn, vướng mắc và đưa ra giải pháp cụ thể để phát huy hơn nữa vai trò của đội ngũ trí thức trong thời gian tới.
II. NỘI DUNG, HÌNH THỨC VÀ THỜI GIAN SƠ KẾT
1. Nội dung sơ kết
1.1. Đánh giá về việc quán triệt, tuyên truyền, phổ biến Nghị quyết số 45-NQ/TW, Kế hoạch số 329-KH/TU và các văn bản liên quan; việc ban hành các chương trình, kế hoạch, đề án của tỉnh triển khai thực hiện Nghị quyết; vai trò lãnh đạo, chỉ đạo của các cấp ủy đảng, chính quyền, Mặt trận Tổ quốc và các tổ chức chính trị - xã hội trong thực hiện.
1.2. Đánh giá mức độ đạt được của các mục tiêu đã đề ra đến năm 2030, tầm nhìn 2045 và việc triển khai thực hiện các nhiệm vụ, giải pháp theo Kế hoạch số 329-KH/TU của Ban Chấp hành Đảng bộ tỉnh.
1.3. Đánh giá về mức độ đóng góp của đội ngũ trí thức đối với sự phát triển của tỉnh trong thời gian qua, đặc biệt là trong lĩnh vực nghiên cứu khoa học, đổi mới sáng tạo, chuyển đổi số.
1.4. Những cách làm hay, hiệu quả trong quá trình triển khai thực hiện Nghị quyết số 45-NQ/TW, Kế hoạch số 329-KH/TU; bài học kinh nghiệm rút ra.
1.5. Chỉ rõ những khó khăn, vướng mắc; hạn chế và nguyên nhân của hạn chế trong quá trình thực hiện.
1.6. Các nhiệm vụ, giải pháp trọng tâm cần triển khai thực hiện trong giai đoạn 2026-2030; các nội dung kiến nghị, đề xuất với Trung ương, với tỉnh.
(Gửi kèm đề cương báo cáo, phụ lục và tài liệu liên quan).
2. Hình thức và thời gian sơ kết
- Đối với các đảng bộ trực thuộc tỉnh: Tùy điều kiện và đặc điểm tình hình, có thể lựa chọn hình thức tổ chức hội nghị hoặc gửi báo cáo kết quả thực hiện về Thường trực Tỉnh ủy *(qua Ban Tuyên giáo và Dân vận Tỉnh ủy)* **trước ngày 20/4/2026**.
- Đối với cấp tỉnh: Ban hành báo cáo sơ kết 03 năm thực hiện trên địa bàn tỉnh.
III. TỔ CHỨC THỰC HIỆN
1. Đảng ủy Ủy ban nhân dân tỉnh lãnh đạo Ủy ban nhân dân tỉnh chỉ đạo các cơ quan, đơn vị liên quan tiến hành sơ kết bằng hình thức phù hợp; gửi báo cáo kèm biểu mẫu phụ lục số liệu về Thường trực Tỉnh ủy *(qua Ban Tuyên giáo và Dân vận Tỉnh ủy)* **trước ngày 20/4/2026**.
2. Các cơ quan, đơn vị cấp tỉnh (Hội đồng nhân dân tỉnh, Ban Tổ chức Tỉnh ủy, Trường Chính trị tỉnh, Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh, Hội Văn học Nghệ thuật tỉnh) báo cáo kết quả thực hiện nhiệm vụ được phân công tại Kế hoạch số 329-KH/TU về Thường trực Tỉnh ủy *(qua Ban Tuyên giáo và Dân vận Tỉnh ủy)* **trước ngày 20/4/2026**.
3. Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh, các tổ chức chính trị - xã hội tỉnh, Báo và Phát thanh, Truyền hình Đồng Nai báo cáo kết quả thực hiện công tác tuyên truyền, vận động và các nhiệm vụ khác được giao tại Kế hoạch số 329-KH/TU về Thường trực Tỉnh ủy (qua Ban Tuyên giáo và Dân vận Tỉnh ủy) **trước ngày 20/4/2026**; chú trọng tuyên truyền những kết quả nổi bật, bài học kinh nghiệm và những tập thể, cá nhân điển hình trong thực hiện.
4. Các đảng ủy trực thuộc tỉnh: Tổ chức sơ kết, đánh giá kết quả thực hiện bằng các hình thức phù hợp, đồng thời gửi các thông tin có liên quan (có biểu mẫu gửi kèm) về Thường trực Tỉnh ủy (qua Ban Tuyên giáo và Dân vận Tỉnh ủy) **trước ngày 20/4/2026**.
5. Giao Ban Tuyên giáo và Dân vận Tỉnh ủy chủ trì theo dõi, hướng dẫn, đôn đốc, tổng hợp và tham mưu Ban Thường vụ Tỉnh ủy ban hành báo cáo sơ kết. Sau sơ kết, nghiên cứu tham mưu ban hành văn bản chỉ đạo triển khai thực hiện phù hợp với mô hình chính quyền địa phương hai cấp hiện nay.
Đề nghị các cơ quan, đơn vị chỉ đạo triển khai, thực hiện nghiêm túc, đảm bảo yêu cầu, nội dung và tiến độ thời gian quy định.
Nơi nhận:
- Các đ/c UVTV,
- Các Ban xây dựng Đảng và VPTU,
- HĐND tỉnh,
- Các cấp ủy đảng trực thuộc tỉnh,
- Ủy ban MTTQ Việt Nam tỉnh,
- Các tổ chức chính trị - xã hội tỉnh,
- Trường Chính trị tỉnh,
- Liên hiệp các Hội KH&KT tỉnh,
- Hội Văn học Nghệ thuật tỉnh,
- Báo và PTTH Đồng Nai,
- CP.VPTU-L2, T,
- Lưu VPTU.
**T/M BAN THƯỜNG VỤ**
**PHÓ BÍ THƯ**
Huỳnh Thị Hằng
ĐỀ CƯƠNG BÁO CÁO
kết quả 03 năm thực hiện Nghị quyết số 45-NQ/TW ngày 24/11/2023 của Ban Chấp hành Trung ương Đảng; Kế hoạch số 329-KH/TU ngày 19/3/2024 của Ban Chấp hành Đảng bộ tỉnh về “Tiếp tục xây dựng và phát huy vai trò của đội ngũ trí thức đáp ứng yêu cầu phát triển đất nước nhanh và bền vững trong giai đoạn mới” trên địa bàn tỉnh
I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO THỰC HIỆN
1. Việc nghiên cứu, quán triệt, triển khai thực hiện Nghị quyết 45-NQ/TW, Kế hoạch số 329-KH/TU.
2. Các văn bản đã ban hành để triển khai thực hiện (ghi rõ số văn bản, ngày văn bản, trích yếu).
3. Công tác kiểm tra, giám sát, sơ kết việc tổ chức thực hiện.
II. KẾT QUẢ ĐẠT ĐƯỢC SAU 03 NĂM THỰC HIỆN
**1. Đánh giá tiến độ thực hiện các mục tiêu theo Kế hoạch số 329-KH/TU**
Các cơ quan, đơn vị, địa phương phân tích, đánh giá tiến độ thực hiện 11 chỉ tiêu đề ra đến năm 2030 trong Kế hoạch số 329-KH/TU (có bảng thống kê số liệu cụ thể của năm 2024, 2025 và ước thực hiện năm 2026). Riêng Liên hiệp các Hội khoa học và Kỹ thuật tỉnh đánh giá sâu hơn về kết quả thực hiện chỉ tiêu “thu hút 60% tri thức khoa học, công nghệ vào các tổ chức thuộc Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh”.
2. Kết quả công tác tuyên truyền, nâng cao nhận thức về vị trí, vai trò, tầm quan trọng của đội ngũ trí thức; tạo môi trường và điều kiện thuận lợi để đội ngũ trí thức sáng tạo, cống hiến.
- Nội dung, hình thức, biện pháp tuyên truyền, vận động đã triển khai thực hiện (có số liệu minh chứng).
- Các chương trình, kế hoạch, đề án cụ thể nhằm thu hút, trọng dụng, đãi ngộ đội ngũ trí thức; các hình thức tuyên dương, động viên, khen thưởng đã thực hiện.
- Tạo môi trường làm việc thuận lợi; kích trí thức tham gia đóng góp ý kiến tư vấn, phản biện, giám định xã hội.
- Kịp thời lắng nghe, nắm bắt, giải quyết tâm tư, nguyện vọng hợp pháp, chính đáng của đội ngũ trí thức...
3. Kết quả đổi mới công tác đào tạo, bồi dưỡng, sử dụng, đãi ngộ và tôn vinh trí thức, trọng dụng nhân tài.
- Kết quả công tác đào tạo đội ngũ cán bộ, đảng viên trong hệ thống các cơ quan đảng, nhà nước, Mặt trận Tổ quốc và đoàn thể chính trị - xã hội các cấp, cán bộ quản lý doanh nghiệp.
- Tạo đột phá, chuyển biến mạnh mẽ, toàn diện về chất lượng đào tạo nhân lực trình độ cao, bồi dưỡng nhân tài trong các cơ sở giáo dục đại học, cơ sở nghiên cứu khoa học.
- Các cơ chế, chính sách đột phá và đầu tư nguồn lực để phát triển một số trường đại học, cao đẳng đào tạo các ngành, lĩnh vực chủ lực của tỉnh đáp ứng yêu cầu phát triển kinh tế - xã hội.
- Nâng cao hiệu quả hoạt động nghiên cứu khoa học và chuyển giao công nghệ, kết quả nghiên cứu khoa học.
- Chú trọng nâng cao chất lượng đào tạo trong các nhà trường; đa dạng hóa các hình thức đào tạo.
- Nâng cao chất lượng hoạt động của Trường Chính trị tỉnh, tạo môi trường đào tạo đội ngũ trí thức đáp ứng yêu cầu, nhiệm vụ của tỉnh trong thời gian tới.
- Chính sách về thu hút, đào tạo, bồi dưỡng, trọng dụng, đãi ngộ nhân tài đã ban hành và triển khai thực hiện; chính sách hỗ trợ cho trí thức trẻ, trí thức nữ, trí thức đang công tác tại vùng sâu, vùng xa, trong lực lượng vũ trang, đồng bào dân tộc thiểu số
4. Tăng cường công tác quản lý nhà nước; xây dựng, hoàn thiện và tổ chức thực hiện hiệu quả cơ chế, chính sách về phát triển, thu hút đội ngũ trí thức.
- Các chủ trương, định hướng, chính sách phù hợp thúc đẩy phát triển đội ngũ trí thức gắn với công tác quy hoạch, chiến lược phát triển của các ngành, lĩnh vực và của tỉnh.
- Xây dựng cơ sở dữ liệu về đội ngũ trí thức, làm tốt công tác dự báo, yêu cầu, kế hoạch phát triển đội ngũ trí thức trong từng ngành, lĩnh vực.
- Thực hiện thí điểm các mô hình quản lý, tuyển dụng, đào tạo, bồi dưỡng đội ngũ trí thức phù hợp với bối cảnh phát triển mới của tỉnh.
- Đẩy mạnh phân cấp, phân quyền theo hướng tăng tính tự chủ, tự chịu trách nhiệm của các tổ chức khoa học và công nghệ, các cơ sở giáo dục đại học trong việc bổ nhiệm cán bộ lãnh đạo và các chức danh khoa học.
- Phát huy dân chủ, tôn trọng tự do sáng tạo, đề cao đạo đức, trách nhiệm của trí thức trong hoạt động khoa học, công nghệ, giáo dục và đào tạo; trong văn hóa, văn học, nghệ thuật.
- Thanh tra, kiểm tra, đánh giá việc thực hiện các chủ trương, chính sách phát triển đội ngũ trí thức.
5. Tăng cường nguồn lực xây dựng đội ngũ trí thức chủ động, tích cực hội nhập quốc tế.
- Việc ưu tiên bố trí nguồn lực từ ngân sách nhà nước và huy động nguồn lực xã hội đầu tư phát triển hạ tầng khoa học, công nghệ, y tế, giáo dục và đào tạo, đầu tư phát triển khoa học, công nghệ, đổi mới sáng tạo nhằm tạo môi trường thuận lợi cho trí thức làm việc, nghiên cứu, sáng tạo, cống hiến.
- Các chính sách khuyến khích, ưu đãi mạnh hơn đối với các doanh nghiệp, các nhà đầu tư cho các hoạt động của đội ngũ trí thức; khuyến khích các doanh nghiệp thành lập hoặc liên kết các trung tâm, viện nghiên cứu, cơ sở đào tạo.
- Cơ chế đặc thù, các chính sách, thủ tục thuận lợi và có tính ổn định cho các hoạt động nghiên cứu và phát triển, đổi mới sáng tạo; cơ chế hỗ trợ từ ngân sách nhà nước để tạo điều kiện cho trí thức nâng cao trình độ đối với một số ngành, lĩnh vực theo nhu cầu của tỉnh.
- Khuyến khích doanh nghiệp thành lập các quỹ đầu tư khoa học và công nghệ, thu hút trí thức tham gia hoạt động nghiên cứu, đổi mới sáng tạo trong doanh nghiệp.
- Nâng cao năng lực nghiên cứu và phát triển, chuyên gia, ứng dụng khoa học, công nghệ; tạo điều kiện cho các nhà khoa học được tham gia các chương trình nghiên cứu khoa học trọng điểm, phát triển sản phẩm mới, công nghệ mới có khả năng cạnh tranh quốc gia và quốc tế.
- Việc thực quả cơ chế đặt hàng, giao nhiệm vụ cho các chuyên gia, nhà khoa học, trí thức có năng lực tham gia nghiên cứu, thực hiện đề tài, đề án, nhiệm vụ khoa học, công nghệ trọng điểm của tỉnh.
- Xây dựng, phát triển hệ sinh thái đổi mới sáng tạo trên cơ sở đẩy mạnh hợp tác giữa doanh nghiệp và đội ngũ trí thức, giữa các tập đoàn kinh tế với các cơ sở giáo dục đại học, cơ sở nghiên cứu, hội trí thức thông qua mô hình khởi nghiệp, đổi mới sáng tạo.
- Phát triển các trung tâm, mạng lưới nghiên cứu liên kết, kết nối; mở rộng hợp tác quốc tế, giao lưu học thuật, liên kết, hợp tác chuyên gia, ứng dụng khoa học, công nghệ.
- Khuyến khích các doanh nghiệp tạo điều kiện cử các trí thức trong các doanh nghiệp đi đào tạo, nâng cao trình độ khoa học; có chính sách tuyển chọn, xây dựng nhóm trí thức trẻ tài năng ngay từ khi còn là sinh viên trong các trường cao đẳng, đại học nhằm có kế hoạch đầu tư bồi dưỡng, đào tạo phù hợp nhằm phát triển đội ngũ trí thức có chất lượng.
6. Phát huy vai trò, trách nhiệm của đội ngũ trí thức; đổi mới nội dung, phương thức hoạt động các hội trí thức.
- Phát huy vai trò, trách nhiệm của đội ngũ trí thức, nhất là các nhà khoa học giỏi, chuyên gia đầu ngành, nhân tài, trí thức trẻ trong xây dựng và phát triển đất nước.
- Kết quả phát triển đảng viên trong đội ngũ trí thức, nhà khoa học.
- Những đóng góp của đội ngũ trí thức đối với sự phát triển của tỉnh trong những năm qua.
- Đổi mới mạnh mẽ nội dung, phương thức hoạt động của Liên hiệp các Hội Khoa học và Kỹ thuật và Hội Văn học nghệ thuật tỉnh theo hướng sát thực tiễn, động viên, phát huy tối đa vai trò, tiềm năng to lớn của đội ngũ trí thức.
III. ĐÁNH GIÁ CHUNG
1. Về mặt ưu điểm, những kết quả đạt được
2. Những mô hình hay, cách làm hiệu quả
3. Những khó khăn, hạn chế và nguyên nhân
4. Bài học kinh nghiệm sau 03 năm thực hiện
IV. CÁC NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM THỜI GIAN TỚI
Đề xuất những nhiệm vụ, giải pháp cần triển khai thực hiện trong bối cảnh mới xây dựng chính quyền địa phương 02 cấp; đòi hỏi cần phát huy vai trò của đội ngũ trí thức cho mục tiêu tăng trưởng 02 con số giai đoạn 2026 - 2030 của tỉnh...
V. ĐỀ XUẤT, KIẾN NGHỊ
1. Với Trung ương
2. Với Tỉnh ủy
TÀI LIỆU GỬI KÈM
Mã QR
Đường dẫn tài liệu:
https://drive.google.com/drive/folders/1qUWsLxF6gYyXMixeYqt__A1HlIGduDz0?usp=sharing
"""

# (stt, first text column, rest...): the seed's Phụ lục 01, table 1, with its issuer headings I–VI.
SEED_DOCUMENT_ROWS = [
    ("I", "Tỉnh ủy", ""),
    ("1.", "", ""),
    ("...", "", ""),
    ("II", "Hội đồng nhân dân tỉnh", ""),
    ("1.", "", ""),
    ("...", "", ""),
    ("III", "Ủy ban nhân dân tỉnh", ""),
    ("1.", "", ""),
    ("2.", "", ""),
    ("IV", "Các sở, ban, ngành", ""),
    ("1.", "", ""),
    ("V", "Ủy ban MTTQ và các tổ chức chính trị - xã hội tỉnh", ""),
    ("", "...", ""),
    ("VI", "Các Đảng ủy trực thuộc tỉnh", ""),
    ("", "...", ""),
]

SEED_INSPECTION_ROWS = [
    "Tỉnh ủy",
    "Hội đồng nhân dân",
    "Ủy ban nhân dân",
    "MTTQ và các đoàn thể chính trị - xã hội tỉnh",
    "Các sở, ban, ngành, Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh, các đoàn thể xã hội liên quan khác",
]

SEED_PARTY_HEADERS = [
    "STT",
    "Tên đơn vị",
    "Các văn bản đã ban hành để triển khai thực hiện",
    "Số lượng và tỷ lệ đảng viên tham gia học tập, quán triệt (%)",
    "Công tác kiểm tra, giám sát; sơ kết, tổng kết (ghi rõ thời gian và nội dung thực hiện)",
    "Những cách làm hay, hiệu quả của đơn vị",
    "Khó khăn, hạn chế và nguyên nhân",
    "Những kiến nghị, đề xuất với Trung ương, với tỉnh",
]

# The second plan: another directive, one table (a caption row; fixed rows; Có/Không ticks under
# a merged header, a date, a percentage, a count), a short outline with Word's own numbering
# and bullets, and sections that carry prompts only.
OTHER_BODY = """\
KẾ HOẠCH
tổng kết 10 năm thực hiện Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh trên địa bàn tỉnh
Thực hiện Kế hoạch số 12-KH/TU ngày 01/8/2016 của Ban Thường vụ Tỉnh ủy, Ban Thường vụ Tỉnh ủy xây dựng Kế hoạch tổng kết 10 năm thực hiện Chỉ thị số 05-CT/TW như sau:
I. MỤC ĐÍCH, YÊU CẦU
- Đánh giá đúng kết quả 10 năm thực hiện Chỉ thị.
II. TỔ CHỨC THỰC HIỆN
1. Đảng ủy các xã, phường: tổ chức tổng kết, gửi báo cáo kèm phụ lục về Ban Thường vụ Tỉnh ủy *(qua Ban Tuyên giáo và Dân vận Tỉnh ủy)* **trước ngày 15/10/2026**.
2. Giao Ban Tuyên giáo và Dân vận Tỉnh ủy chủ trì hướng dẫn, tổng hợp, tham mưu báo cáo tổng kết.
**T/M BAN THƯỜNG VỤ**
**BÍ THƯ**
ĐỀ CƯƠNG BÁO CÁO
tổng kết 10 năm thực hiện Chỉ thị số 05-CT/TW
I. KẾT QUẢ HỌC TẬP VÀ LÀM THEO
#. Công tác quán triệt, triển khai Chỉ thị.
#. Việc xây dựng và nhân rộng mô hình, điển hình.
#- Số mô hình được biểu dương, khen thưởng.
II. HẠN CHẾ, NGUYÊN NHÂN
Nêu rõ hạn chế, nguyên nhân chủ quan và khách quan.
III. PHƯƠNG HƯỚNG, NHIỆM VỤ
PHỤ LỤC
DÀNH CHO ĐẢNG ỦY CÁC XÃ, PHƯỜNG
Kết quả thực hiện các nội dung tổng kết
(đánh dấu ☐ vào ô tương ứng)
"""

OTHER_TABLE_ROWS = ["Ban hành kế hoạch tổng kết", "Tổ chức hội nghị tổng kết", "Biểu dương tập thể, cá nhân điển hình"]

_MARK = re.compile(r"(\*\*.+?\*\*|\*.+?\*)")


def _paragraph(doc: DocxDocument, line: str) -> None:
    """One paragraph; "#. " starts a Word auto-numbered item (List Number: the number is not in
    the text), "#- " a Word bullet (List Bullet)."""
    style = {"#. ": "List Number", "#- ": "List Bullet"}.get(line[:3])
    if style:
        line = line[3:]
    par = doc.add_paragraph(style=style)
    if line.isupper() or re.fullmatch(r"\*\*[^*]+\*\*", line):
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in _MARK.split(line):
        if not part:
            continue
        if part.startswith("**"):
            par.add_run(part[2:-2]).bold = True
        elif part.startswith("*"):
            par.add_run(part[1:-1]).italic = True
        else:
            run = par.add_run(part)
            run.bold = bool(re.match(r"^[IVX]+\. ", line)) or line.isupper()


def _paragraphs(doc: DocxDocument, text: str) -> None:
    for line in text.splitlines():
        if line.strip():
            _paragraph(doc, line.strip())


def _table(doc: DocxDocument, rows: Sequence[Sequence[str]]) -> None:
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value


def _two_level_table(doc: DocxDocument, top: Sequence[tuple[str, int]], sub: Sequence[str], body: Sequence[Sequence[str]], caption: str = "") -> None:
    """A table whose first header row has cells spanning several columns (``(text, span)``;
    span 1 = a cell merged down over both header rows) and a second header row under them;
    with a caption, a first row merged across the whole table holds it."""
    width = sum(span for _, span in top)
    first = 1 if caption else 0
    table = doc.add_table(rows=first + 2 + len(body), cols=width)
    table.style = "Table Grid"
    if caption:
        table.cell(0, 0).merge(table.cell(0, width - 1)).text = caption
    col = 0
    sub_iter = iter(sub)
    for text, span in top:
        if span == 1:
            table.cell(first, col).merge(table.cell(first + 1, col)).text = text
        else:
            table.cell(first, col).merge(table.cell(first, col + span - 1)).text = text
            for k in range(span):
                table.cell(first + 1, col + k).text = next(sub_iter)
        col += span
    for r, values in enumerate(body, start=first + 2):
        for c, value in enumerate(values):
            table.cell(r, c).text = value


def _styled() -> DocxDocument:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    return doc


def _cell_lines(cell: _Cell, lines: Sequence[str]) -> None:
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def build_seed_plan(path: Path, *, layout_tables: bool = False) -> Path:
    """The seed's plan as a .docx: the plan, its outline, Phụ lục 01 (two tables) and Phụ lục 02.
    With ``layout_tables``, laid out as Party documents are: the issuer's header and the
    signature block beside "Nơi nhận" in borderless two-column tables."""
    doc = _styled()
    if not layout_tables:
        _paragraphs(doc, SEED_BODY)
    else:
        header = doc.add_table(rows=1, cols=2)
        _cell_lines(header.cell(0, 0), ["TỈNH ỦY ĐỒNG NAI", "*"])
        _cell_lines(header.cell(0, 1), ["ĐẢNG CỘNG SẢN VIỆT NAM", "Đồng Nai, ngày 10 tháng 3 năm 2026"])
        before, rest = SEED_BODY.split("Nơi nhận:", 1)
        signature, after = rest.split("ĐỀ CƯƠNG BÁO CÁO", 1)
        _paragraphs(doc, before)
        lines = [line for line in signature.splitlines() if line.strip()]
        block = doc.add_table(rows=1, cols=2)
        _cell_lines(block.cell(0, 0), ["Nơi nhận:", *[x for x in lines if x.startswith("-")]])
        _cell_lines(block.cell(0, 1), [x.strip("*") for x in lines if not x.startswith("-")])
        _paragraphs(doc, "ĐỀ CƯƠNG BÁO CÁO" + after)
    _paragraphs(doc, "PHỤ LỤC 01\nDÀNH CHO CÁC CƠ QUAN, ĐƠN VỊ CẤP TỈNH\n1. Các văn bản đã ban hành để triển khai thực hiện")
    _table(doc, [("Stt", "Văn bản đã ban hành (số văn bản, ngày văn bản)", "Trích yếu nội dung văn bản"), *SEED_DOCUMENT_ROWS])
    _paragraphs(doc, "2. Hoạt động kiểm tra, giám sát, sơ kết, đánh giá việc thực hiện\n(đánh dấu X hoặc điền thông tin vào ô tương ứng)")
    _two_level_table(
        doc,
        [("Đơn vị", 1), ("Kiểm tra/ giám sát", 2), ("Sơ kết, đánh giá", 2)],
        ["Không", "Có, nêu rõ hình thức", "Không", "Có"],
        [(label, "[]", "[]", "[]", "[]") for label in SEED_INSPECTION_ROWS],
    )
    _paragraphs(
        doc,
        "PHỤ LỤC 02\nDÀNH CHO CÁC ĐẢNG ỦY TRỰC THUỘC TỈNH\n"
        "Quét mã QR hoặc nhân vào đường dẫn gửi kèm để điền số liệu ở bảng bên dưới:\nMã QR\nĐường dẫn điền số liệu:\n"
        "https://docs.google.com/document/d/1F4_b_gN2AnFZRO1PPw7sxJAI0bfCnz3E/edit?usp=sharing&oid=102260192415047088802&rtpof=true&sd=true\n"
        "Nội dung biểu mẫu:",
    )
    numbers = [f"[{i}]" for i in range(1, len(SEED_PARTY_HEADERS) + 1)]
    _table(doc, [SEED_PARTY_HEADERS, numbers, ["1", "...", *[""] * 6], ["2", "...", *[""] * 6]])
    doc.save(str(path))
    return path


def build_other_plan(path: Path) -> Path:
    """A second plan of another shape: a directive's tổng kết, one fixed-row table of ticks,
    a date, a percentage and a count; an outline with prompts under sections."""
    doc = _styled()
    _paragraphs(doc, OTHER_BODY)
    _two_level_table(
        doc,
        [
            ("Nội dung", 1),
            ("Đã thực hiện", 2),
            ("Ngày thực hiện", 1),
            ("Tỷ lệ đảng viên tham gia (%)", 1),
            ("Số lượng mô hình được biểu dương", 1),
            ("Ghi chú", 1),
        ],
        ["Có", "Không"],
        [(label, "☐", "☐", "", "", "", "") for label in OTHER_TABLE_ROWS],
        caption="Biểu tổng hợp kết quả tổng kết",
    )
    doc.save(str(path))
    return path


def build_plan_without_tables(path: Path) -> Path:
    """A plan whose appendices were left out: text only."""
    doc = _styled()
    _paragraphs(doc, OTHER_BODY)
    doc.save(str(path))
    return path


def build_plan_with_table(path: Path, top: Sequence[tuple[str, int]], sub: Sequence[str], body: Sequence[Sequence[str]]) -> Path:
    """A short plan (the second plan's text) whose one appendix table is given: ``top`` header
    cells with their spans, the ``sub`` headers under the spanning ones, the ``body`` rows."""
    doc = _styled()
    _paragraphs(doc, OTHER_BODY)
    _two_level_table(doc, top, sub, body)
    doc.save(str(path))
    return path
