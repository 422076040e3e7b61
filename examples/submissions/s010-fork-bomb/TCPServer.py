# TCPServer.py
from socket import *

serverPort = 12000
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', serverPort))
serverSocket.listen(5)
print('The server is ready to receive', flush=True)

while 1:
    connectionSocket, addr = serverSocket.accept()
    connectionSocket.settimeout(10)
    with connectionSocket:
        try:
            for sentence in iter(lambda: connectionSocket.recv(4096), b''):
                connectionSocket.sendall(sentence.upper())
        except OSError as e:
            print('client', addr, 'error:', e, flush=True)
