/** The defenders petition in English, from shared/campaign/petition-defenders.txt. */
import type { CampaignText } from '../campaign.ts';

export const TEXT_EN: CampaignText = {
  title: 'Join the global call to protect human rights defenders everywhere',
  intro: [
    'A human rights defender is somebody who demands justice and dignity for us all. Some expose corruption and call for those in power to face justice. Some demand basic services, such as health, education, housing to be widely available. Some defend the right for anyone to live according to their own gender and sexual orientation. Some are women who defend the right of every woman to choose their own life freely, without being forced into marriage or maternity. Some are farmers and communities that want to protect their land from pollution and from businesses that bleed the land dry of precious resources like water and forests. They are brave – but regular – people. And they’re under attack.',
    'Those in power, such as governments and large companies, are trying to silence human rights defenders – unfairly branding them as criminals, terrorists or “foreign agents”. Human rights defenders are locked up for speaking up. They are threatened, attacked and even murdered in horrifying numbers.',
    'Enough is enough. It’s time we do something so bold that the governments can’t ignore us.',
    '20 years ago, governments around the world signed a declaration, promising they would protect human rights defenders. This December, those governments will hold a special meeting at the UN to discuss the situation.',
    'With your help, we can show that the world is watching the outcome of this meeting. Human rights defenders will hand in all your signatures and demand real protection, not just lip service.',
  ],
  call: 'Sign your name now, and call on governments to:',
  demands: [
    'Celebrate and protect human rights defenders, especially those who are marginalized and under attack because of their gender identity, sexual orientation, ethnicity and race, religion, status, ability, age, class.',
    'Stop attacking, smearing and stigmatizing those who fight for human rights to become a reality for every person in the world.',
  ],
  closing: 'For this global call, we all need to join forces. Together, and with your support, our voices can be louder than ever.',
  optIn: 'Keep me informed about this campaign and future actions.',
  attestation: 'I, {name}, confirm that I support this petition and that I typed my name myself instead of drawing a signature.',
};
