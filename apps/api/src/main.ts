import { hello } from '@rejoinder/common'; console.log(hello('x'));
