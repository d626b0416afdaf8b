import torch
import torch.nn as nn
import torch.nn.functional as F
from collections import Counter

torch.manual_seed(0)

# pre_process.py settings
MIN_WORD_FREQ = 3
MAX_LEN = 50
# the released checkpoint was trained with this vocabulary size
CHECKPOINT_VOCAB_SIZE = 9526


def make_captions():
    # synthetic training captions: 9522 frequent words (5 times each) and 6 rare words (3 times)
    caps = []
    for i in range(9522):
        for _ in range(5):
            caps.append(['w%d' % i, 'w%d' % ((i * 7) % 9522)])
    for j in range(6):
        for _ in range(3):
            caps.append(['rare%d' % j])
    return caps


def create_word_map(captions, min_word_freq):
    freq = Counter()
    for c in captions:
        freq.update(c)
    words = [w for w in freq.keys() if freq[w] >= min_word_freq]
    word_map = {k: v + 1 for v, k in enumerate(words)}
    word_map['<unk>'] = len(word_map) + 1
    word_map['<start>'] = len(word_map) + 1
    word_map['<end>'] = len(word_map) + 1
    word_map['<pad>'] = 0
    return word_map


class Encoder(nn.Module):
    def __init__(self, enc_size=14):
        super().__init__()
        self.conv = nn.Conv2d(3, 512, kernel_size=16, stride=16)
        self.pool = nn.AdaptiveAvgPool2d((enc_size, enc_size))

    def forward(self, images):
        out = self.pool(self.conv(images))       # (1, 512, 14, 14)
        return out.permute(0, 2, 3, 1)           # (1, 14, 14, 512)


class DecoderWithAttention(nn.Module):
    def __init__(self, attention_dim, embed_dim, decoder_dim, vocab_size, encoder_dim=512):
        super().__init__()
        self.enc_att = nn.Linear(encoder_dim, attention_dim)
        self.dec_att = nn.Linear(decoder_dim, attention_dim)
        self.full_att = nn.Linear(attention_dim, 1)
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.decode_step = nn.LSTMCell(embed_dim + encoder_dim, decoder_dim)
        self.init_h = nn.Linear(encoder_dim, decoder_dim)
        self.init_c = nn.Linear(encoder_dim, decoder_dim)
        self.f_beta = nn.Linear(decoder_dim, encoder_dim)
        self.fc = nn.Linear(decoder_dim, vocab_size)

    def init_hidden_state(self, encoder_out):
        mean = encoder_out.mean(dim=1)
        return self.init_h(mean), self.init_c(mean)

    def attention(self, encoder_out, h):
        att = self.full_att(torch.relu(self.enc_att(encoder_out) + self.dec_att(h).unsqueeze(1))).squeeze(2)
        alpha = F.softmax(att, dim=1)
        return (encoder_out * alpha.unsqueeze(2)).sum(dim=1), alpha


def caption_image_beam_search(encoder, decoder, image, word_map, beam_size=3):
    k = beam_size
    vocab_size = len(word_map)
    encoder_out = encoder(image)
    encoder_dim = encoder_out.size(3)
    encoder_out = encoder_out.view(1, -1, encoder_dim).expand(k, -1, encoder_dim)
    k_prev_words = torch.LongTensor([[word_map['<start>']]] * k)
    seqs = k_prev_words
    top_k_scores = torch.zeros(k, 1)
    h, c = decoder.init_hidden_state(encoder_out)
    for step in range(MAX_LEN):
        embeddings = decoder.embedding(k_prev_words).squeeze(1)
        awe, _ = decoder.attention(encoder_out, h)
        gate = torch.sigmoid(decoder.f_beta(h))
        h, c = decoder.decode_step(torch.cat([embeddings, gate * awe], dim=1), (h, c))
        scores = F.log_softmax(decoder.fc(h), dim=1)
        scores = top_k_scores.expand_as(scores) + scores
        top_k_scores, top_k_words = scores.view(-1).topk(k, 0, True, True)
        prev_word_inds = top_k_words // scores.size(1)
        next_word_inds = top_k_words % scores.size(1)
        seqs = torch.cat([seqs[prev_word_inds], next_word_inds.unsqueeze(1)], dim=1)
        h, c = h[prev_word_inds], c[prev_word_inds]
        top_k_scores = top_k_scores.unsqueeze(1)
        k_prev_words = next_word_inds.unsqueeze(1)
    return seqs[0].tolist()


word_map = create_word_map(make_captions(), MIN_WORD_FREQ)
rev_word_map = {v: k for k, v in word_map.items()}
encoder = Encoder().eval()
decoder = DecoderWithAttention(attention_dim=512, embed_dim=512, decoder_dim=512,
                               vocab_size=CHECKPOINT_VOCAB_SIZE).eval()
images = torch.randn(2, 3, 224, 224)
with torch.no_grad():
    for img in images:
        seq = caption_image_beam_search(encoder, decoder, img.unsqueeze(0), word_map, beam_size=3)
        print(' '.join(rev_word_map.get(i, '<unk>') for i in seq[:8]))
